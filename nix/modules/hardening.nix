# The systemd sandbox every lookout unit runs in, kept in one place so the four
# service modules cannot drift apart. The binaries are small network servers
# that read nothing but their flags and write only to stdout (and, for the
# alert receiver, its StateDirectory), so nearly everything can be taken away;
# `systemd-analyze security <unit>` should report an exposure of 2.0 or less.
#
# Arguments:
#   allowedAddresses null (any peer, for services listening on the network) or a
#                    list of IPAddressAllow= entries such as [ "localhost" ]: every
#                    other address is denied in both directions.
#   addressFamilies  socket families the binary may create, default IPv4 and IPv6.
{
  allowedAddresses ? null,
  addressFamilies ? [
    "AF_INET"
    "AF_INET6"
  ],
}:
{
  DynamicUser = true;
  Restart = "on-failure";
  RestartSec = "2s";

  # Filesystem: read-only everything, private /tmp and /dev, no home directories.
  ProtectSystem = "strict";
  ProtectHome = true;
  PrivateTmp = true;
  PrivateDevices = true;
  PrivateMounts = true;
  DevicePolicy = "closed";
  UMask = "0077";

  # Privileges: none to start with, none to gain.
  NoNewPrivileges = true;
  CapabilityBoundingSet = [""];
  AmbientCapabilities = [""];
  PrivateUsers = true;
  RestrictSUIDSGID = true;
  RemoveIPC = true;
  PrivateIPC = true;
  KeyringMode = "private";

  # Kernel and system state the services never touch.
  ProtectKernelTunables = true;
  ProtectKernelModules = true;
  ProtectKernelLogs = true;
  ProtectControlGroups = true;
  ProtectClock = true;
  ProtectHostname = true;
  # Other processes are hidden. ProcSubset=pid is left out on purpose: the
  # services read btime from /proc/stat for process_start_time_seconds, which
  # the dashboard's restart panel uses, and ProcSubset=pid hides that file.
  ProtectProc = "invisible";
  LockPersonality = true;
  MemoryDenyWriteExecute = true;
  RestrictNamespaces = true;
  RestrictRealtime = true;

  # System calls: what a tokio server needs, nothing privileged or resource-changing.
  SystemCallArchitectures = "native";
  SystemCallFilter = [
    "@system-service"
    "~@privileged"
    "~@resources"
  ];
  SystemCallErrorNumber = "EPERM";
  RestrictAddressFamilies = addressFamilies;
}
// (
  if allowedAddresses == null
  then {}
  else {
    IPAddressDeny = "any";
    IPAddressAllow = allowedAddresses;
  }
)
