# Scenario 2: the stack across hosts. `monitor` runs Prometheus, Alertmanager,
# Grafana and the alert receiver; `app` runs both services on its network
# address, with the firewall open to the monitor only; `client` is any other
# machine on the network. The monitor scrapes the app across the network, a
# service stopped on the app pages with the app's instance label, and the client
# reaches Grafana but neither Prometheus nor Alertmanager.
{self, ...}: let
  secrets = import ./grafana-secrets.nix;
in {
  name = "lookout-multi-host";

  nodes = {
    app = {
      config,
      nodes,
      ...
    }: let
      servicePorts = [config.services.user-service.port config.services.order-service.port];
      monitorAddress = nodes.monitor.networking.primaryIPAddress;
    in {
      imports = [self.nixosModules.default];

      services.user-service = {
        enable = true;
        listenAddress = config.networking.primaryIPAddress;
      };
      services.order-service = {
        enable = true;
        listenAddress = config.networking.primaryIPAddress;
      };

      # The services' ports accept the monitor only (the rules below use the
      # iptables backend of the NixOS firewall, so pin it).
      networking.nftables.enable = false;
      networking.firewall.extraCommands =
        builtins.concatStringsSep "\n"
        (map (port: "iptables -A nixos-fw -p tcp -s ${monitorAddress} --dport ${toString port} -j nixos-fw-accept") servicePorts);
    };

    monitor = {
      nodes,
      pkgs,
      ...
    }: let
      app = nodes.app.services;
    in {
      imports = [self.nixosModules.default secrets.module];

      virtualisation.memorySize = 2048;
      environment.systemPackages = [pkgs.jq];

      services.alert-receiver.enable = true;
      services.lookout.monitoring = {
        enable = true;
        scrapeInterval = "2s";
        evaluationInterval = "2s";
        # Notifications without the production waits, so the test takes minutes.
        alertmanager.configArgs = {
          groupWait = "2s";
          groupInterval = "10s";
          criticalGroupInterval = "10s";
        };
        grafana = {
          adminPasswordFile = secrets.passwordFile;
          inherit (secrets) secretKeyFile;
        };
        # Scraped by host name: the instance label names the app host.
        extraTargets = {
          user-service = ["app:${toString app.user-service.port}"];
          order-service = ["app:${toString app.order-service.port}"];
        };
      };

      # Grafana is the one part of the stack meant to be reached by people.
      services.grafana.settings.server.http_addr = "0.0.0.0";
      services.grafana.openFirewall = true;
    };

    client = {};
  };

  testScript = {nodes, ...}: let
    mon = nodes.monitor.services;
    app = nodes.app.services;
    url = port: "http://127.0.0.1:${toString port}";
  in
    builtins.readFile ./helpers.py
    + ''
      prometheus = "${url mon.prometheus.port}"
      alertmanager = "${url mon.prometheus.alertmanager.port}"
      receiver = "${url mon.alert-receiver.port}"
      user_on_app = "app:${toString app.user-service.port}"
      order_on_app = "app:${toString app.order-service.port}"
      grafana_port = ${toString mon.grafana.settings.server.http_port}
      prometheus_port = ${toString mon.prometheus.port}
      alertmanager_port = ${toString mon.prometheus.alertmanager.port}

      start_all()

      with subtest("every node is up"):
          app.wait_for_unit("user-service.service")
          app.wait_for_unit("order-service.service")
          for unit in ["prometheus", "alertmanager", "grafana", "alert-receiver"]:
              monitor.wait_for_unit(f"{unit}.service")
          client.wait_for_unit("multi-user.target")

      with subtest("the monitor scrapes both services on the app across the network"):
          for job, instance in [("user-service", user_on_app), ("order-service", order_on_app)]:
              monitor.succeed(f"curl -sf http://{instance}/health")
              monitor.wait_until_succeeds(
                  query_command(prometheus, f'up{{job="{job}", instance="{instance}"}} == 1')
                  + " | jq -e '.data.result | length == 1'"
              )

      with subtest("the app's services refuse every host but the monitor"):
          for instance in [user_on_app, order_on_app]:
              client.fail(f"curl -sf --connect-timeout 5 http://{instance}/health")

      with subtest("a service stopped on the app fires ServiceDown with the app's instance, delivered"):
          app.succeed("systemctl stop user-service")
          labels = {"alertname": "ServiceDown", "job": "user-service", "instance": user_on_app}
          wait_fires_and_is_delivered(monitor, prometheus, alertmanager, receiver, labels)
          app.succeed("systemctl start user-service")
          wait_delivered(monitor, receiver, "resolved", labels)

      with subtest("the client reaches Grafana, not Prometheus or Alertmanager"):
          client.wait_until_succeeds(
              f"curl -sf http://monitor:{grafana_port}/api/health | grep -q database"
          )
          client.fail(f"curl -sf --connect-timeout 5 http://monitor:{prometheus_port}/-/ready")
          client.fail(f"curl -sf --connect-timeout 5 http://monitor:{alertmanager_port}/-/ready")
    '';
}
