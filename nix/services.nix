# The lookout services, written once: each is a binary of the workspace, a
# package of the flake, a NixOS module (nix/modules/<name>.nix, options under
# services.lookout.<name>) and a flake check. Builtins only, so flake.nix,
# nix/packages.nix, nix/sources.nix, the modules and nix/tests/eval/check.sh
# (through nix-instantiate) all read this same file.
{
  user-service = {
    description = "lookout user service: the exercise's user API, instrumented for Prometheus";
    # Serves /metrics on its port (nix/ports.json), so Prometheus scrapes it.
    scraped = true;
  };
  order-service = {
    description = "lookout order service: the exercise's order API, instrumented for Prometheus";
    scraped = true;
  };
  alert-receiver = {
    description = "lookout alert receiver: Alertmanager webhook receiver that logs and keeps notifications";
    scraped = true;
  };
  traffic-generator = {
    description = "lookout traffic generator: replays the exercise's requests against both services";
    # It serves nothing, so it has no port and no scrape job.
    scraped = false;
  };
}
