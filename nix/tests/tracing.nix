# Scenario 5: tracing on one host, built from the flake's nixosModules only.
# The lookout services send their spans to nixpkgs' Tempo; the script proves
# Tempo receives them (a trace id taken from a service's JSON log line is found
# through Tempo's HTTP API and through Grafana's datasource proxy), that the
# metrics-generator's service graph reaches Prometheus, and that Tempo and the
# remote-write receiver listen on loopback only.
{
  self,
  lib,
  ...
}: let
  secrets = import ./grafana-secrets.nix;
  preamble = import ./preamble.nix;
in {
  name = "lookout-tracing";

  nodes.machine = {pkgs, ...}: {
    virtualisation.memorySize = 2048;

    imports = [self.nixosModules.default secrets.module];

    # Requests are logged one JSON line each at debug, with their trace_id.
    services.lookout.user-service = {
      enable = true;
      logLevel = "debug";
    };
    # userServiceUrl defaults to the local user-service: each create is a hop.
    services.lookout.order-service = {
      enable = true;
      logLevel = "debug";
    };
    services.lookout.alert-receiver.enable = true;
    # Its requests start the traces; more creates than the demo's, so the
    # order-service -> user-service edge has traffic within seconds.
    services.lookout.traffic-generator = {
      enable = true;
      createShare = 0.3;
    };
    services.lookout.monitoring = {
      enable = true;
      scrapeInterval = "2s";
      evaluationInterval = "2s";
      tracing.enable = true;
      grafana = {
        adminPasswordFile = secrets.passwordFile;
        inherit (secrets) secretKeyFile;
      };
    };

    environment.systemPackages = [pkgs.jq];
  };

  # The script is tracing.py, after the values it takes from the node's options
  # (tracing-preamble.nix) and the shared helpers; scripts.nix lists the files.
  testScript = {nodes, ...}: preamble.script (import ./scripts.nix).tracing {inherit lib nodes;};
}
