# The fault-control listener never leaves loopback.
# expect: services.lookout.user-service.faultControl.listenAddress' is not of type
{
  services.lookout.user-service.faultControl.listenAddress = "0.0.0.0";
}
