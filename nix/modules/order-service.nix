# NixOS module for lookout's order-service: the exercise's order API with
# Prometheus metrics on the same port, run as a hardened systemd unit.
import ./api-service.nix {
  name = "order-service";
  description = "lookout's order-service (order API and its metrics)";
  latency = "GET /orders 0-100 ms";
  storeOption = "maxOrders";
  storeFlag = "--max-orders";
  storeNoun = "orders";
}
