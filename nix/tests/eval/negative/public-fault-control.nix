# The fault-control listener never leaves loopback.
# expect: services.user-service.faultControl.listenAddress' is not of type
{
  services.user-service.faultControl.listenAddress = "0.0.0.0";
}
