# Grafana's admin password and secret key for the VM tests, generated inside
# the VM at its first boot: they never exist at build time, so they cannot reach
# the Nix store, and they stay the same across a reboot (Grafana applies the
# admin password only when it creates its database). The files are root-only:
# the monitoring module hands them to Grafana as systemd credentials. Test
# scripts read them back from the files.
let
  directory = "/var/lib/lookout-test-secrets";
in {
  passwordFile = "${directory}/grafana-admin-password";
  secretKeyFile = "${directory}/grafana-secret-key";

  # The NixOS module that creates both files before Grafana starts.
  module = {pkgs, ...}: {
    systemd.services.lookout-test-secrets = {
      description = "Generate Grafana's test secrets";
      wantedBy = ["multi-user.target"];
      before = ["grafana.service"];
      requiredBy = ["grafana.service"];
      serviceConfig = {
        Type = "oneshot";
        RemainAfterExit = true;
      };
      path = [pkgs.coreutils];
      script = ''
        install -d -m 0700 ${directory}
        for file in ${directory}/grafana-admin-password ${directory}/grafana-secret-key; do
          if [ ! -s "$file" ]; then
            (umask 0077; od -An -N24 -tx1 /dev/urandom | tr -d ' \n' > "$file")
          fi
        done
      '';
    };
  };
}
