# Scenario 3: the demo VM of `nix run .#vm` boots. The node is the
# nixosConfigurations.vm system itself (the flake's modules plus nix/hosts/vm.nix),
# so this check breaks whenever `nix run .#vm` would: every unit starts, the
# admin password is made at first boot and shown on the console, the traffic
# generator produces data, and the main queries of the services dashboard
# return data through Grafana within a minute.
{
  self,
  lib,
  ...
}: let
  dashboard = builtins.fromJSON (builtins.readFile ../../dashboards/lookout-services.json);
  # The overview row: the panels above the dashboard's second row.
  rows = lib.filter (panel: panel.type == "row") dashboard.panels;
  overviewEnd = (lib.elemAt rows 1).gridPos.y;
  overview = lib.filter (panel: panel.type != "row" && panel.gridPos.y < overviewEnd) dashboard.panels;
  # Template variables as Grafana sends them with "All" selected (every
  # variable is used with =~) and a rate window that holds several scrapes.
  substitute = lib.replaceStrings ["$__rate_interval" "$job" "$instance" "$route"] ["1m" ".*" ".*" ".*"];
  mainQueries = lib.concatMap (panel: map (target: substitute target.expr) (panel.targets or [])) overview;
in {
  name = "lookout-demo";

  nodes.vm = {
    imports = [self.nixosModules.default ../hosts/vm.nix];
    # What the host file gives the VM build (virtualisation.vmVariant), which a
    # test node does not read: the memory, and no graphics, which also makes the
    # serial port (the driver's console) the kernel's primary console.
    virtualisation.memorySize = 2048;
    virtualisation.graphics = false;
  };

  testScript = {nodes, ...}: let
    cfg = nodes.vm.services;
    url = port: "http://127.0.0.1:${toString port}";
  in
    builtins.readFile ./helpers.py
    + ''
      prometheus = "${url cfg.prometheus.port}"
      grafana = "${url cfg.grafana.settings.server.http_port}"
      password_file = "${cfg.lookout.monitoring.grafana.adminPasswordFile}"
      main_queries = ${builtins.toJSON mainQueries}

      # The node's host name is the demo's, so the driver knows it as `machine`.
      start_all()

      with subtest("the demo VM boots with every unit of the stack"):
          for unit in ["user-service", "order-service", "alert-receiver", "traffic-generator",
                       "prometheus", "alertmanager", "grafana"]:
              machine.wait_for_unit(f"{unit}.service")
          machine.wait_until_succeeds(f"curl -sf {prometheus}/-/ready")
          machine.wait_until_succeeds(f"curl -sf {grafana}/api/health")

      with subtest("the admin password is made at first boot, outside the store, and shown on the console"):
          assert not password_file.startswith("/nix/store"), password_file
          machine.wait_for_console_text("Grafana login admin", timeout=300)
          password = machine.succeed(f"cat {password_file}").strip()
          assert len(password) >= 16, "the generated password is too short"
          machine.succeed(f"test $(stat -c %a {password_file}) = 600 -o $(stat -c %a {password_file}) = 400")
          expect_status(machine, "200", f"{grafana}/api/org", f"-u admin:{password}")
          expect_status(machine, "401", f"{grafana}/api/org", "-u admin:admin")

      with subtest("the traffic generator's requests reach both services"):
          for job in ["user-service", "order-service"]:
              machine.wait_until_succeeds(
                  query_command(prometheus, f'sum(http_requests_total{{job="{job}", route!="/metrics"}}) > 0')
                  + " | jq -e '.data.result | length == 1'"
              )

      with subtest("the services dashboard's main queries return data within a minute"):
          admin = f"-u admin:{password}"
          for promql in main_queries:
              machine.wait_until_succeeds(
                  f"curl -sf {admin} -G {grafana}/api/datasources/proxy/uid/prometheus/api/v1/query"
                  f" --data-urlencode 'query={promql}' | jq -e '.data.result | length > 0'",
                  timeout=60,
              )
    '';
}
