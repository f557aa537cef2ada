# nixos-eval test config: the demo VM with faults switched on declaratively
# (HighErrorRate on order-service, HighResponseTime on user-service).
{
  imports = [./vm.nix];

  services.lookout.order-service.faultControl.inject.errorRatio = 0.5;
  services.lookout.user-service.faultControl.inject.latencyMs = 800;
}
