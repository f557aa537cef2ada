# Addresses and firewall openings of the HA options (monitoring-ha.nix,
# monitoring-ha-thanos.nix): the option types of addresses, and a port
# admitted from a list of source addresses only, on either backend of the NixOS
# firewall (iptables rules in `extraCommands`, as nix/tests/multi-host.nix
# does, or nftables rules in `extraInputRules`).
#
# Arguments:
#   lib the nixpkgs lib of the module that imports this file.
{lib}: let
  isIPv6 = address: lib.hasInfix ":" address;

  iptablesRule = port: protocol: source: "${
    if isIPv6 source
    then "ip6tables"
    else "iptables"
  } -A nixos-fw -p ${protocol} -s ${source} --dport ${toString port} -j nixos-fw-accept";

  nftablesRule = port: protocol: source: "${
    if isIPv6 source
    then "ip6"
    else "ip"
  } saddr ${source} ${protocol} dport ${toString port} accept";

  # One rule per opening, protocol and source.
  rulesOf = rule: openings:
    lib.concatMap (opening:
      lib.concatMap (protocol: map (rule opening.port protocol) opening.sources) opening.protocols)
    openings;
in {
  types = rec {
    # "host:port" (IPv6 hosts in brackets).
    hostPort = lib.types.strMatching "[^/ ]+:[0-9]+";
    # An address to bind, never a wildcard: Alertmanager would have to guess
    # which of the host's addresses to advertise, Thanos would serve every
    # interface.
    bindAddress = lib.types.addCheck (lib.types.strMatching "[0-9a-fA-F:.]+") (
      address: address != "0.0.0.0" && address != "::"
    );
    addresses = lib.types.listOf bindAddress;
  };

  # The host of a "host:port" (IPv6 brackets removed).
  hostOf = hostPort: let
    host = builtins.head (builtins.match "(.*):[0-9]+" hostPort);
  in
    lib.removePrefix "[" (lib.removeSuffix "]" host);

  # An address as the host part of "host:port".
  bracketed = address:
    if isIPv6 address
    then "[${address}]"
    else address;

  # `networking.firewall` definitions for `openings`, a list of
  # { port; protocols = ["tcp" ...]; sources = [address ...]; }. Nothing is
  # defined (and the backend is not even looked up) when no opening has a source.
  open = config: openings: let
    rules = builtins.filter (opening: opening.sources != []) openings;
    nftables = config.networking.nftables.enable;
  in {
    extraCommands = lib.mkIf (rules != [] && !nftables) (lib.concatStringsSep "\n" (rulesOf iptablesRule rules));
    extraInputRules = lib.mkIf (rules != [] && nftables) (lib.concatStringsSep "\n" (rulesOf nftablesRule rules));
  };
}
