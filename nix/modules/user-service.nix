# NixOS module for lookout's user-service: the exercise's user API with
# Prometheus metrics on the same port, run as a hardened systemd unit.
import ./api-service.nix {
  name = "user-service";
  description = "lookout's user-service (user API and its metrics)";
  latency = "GET /users 10-100 ms, POST /users 50-200 ms";
  storeOption = "maxUsers";
  storeFlag = "--max-users";
  storeNoun = "users";
}
