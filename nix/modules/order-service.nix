# NixOS module for lookout's order-service: the exercise's order API with
# Prometheus metrics on the same port, run as a hardened systemd unit; with
# `userServiceUrl` it checks each order's user against user-service first.
import ./api-service.nix {
  name = "order-service";
  description = "lookout's order-service (order API and its metrics)";
  latency = "GET /orders 0-100 ms";
  storeOption = "maxOrders";
  storeFlag = "--max-orders";
  storeNoun = "orders";
  peers.userServiceUrl = {
    service = "user-service";
    flag = "--user-service-url";
    use = "to check an order's userId before creating it (unknown user: 422, user-service down or slow: 503)";
  };
}
