# The option paths of releases before services.lookout.<name> still work: each is
# an alias of the new path (its definitions are merged there) and warns once.
# Values given at the old path must arrive at the new one, and reading the old
# path must give the new one's value; the assertion checks both. One "# expect:"
# line per warning (check.sh counts them).
# expect: has been renamed to `services.lookout.user-service'.
# expect: has been renamed to `services.lookout.order-service'.
# expect: has been renamed to `services.lookout.alert-receiver'.
# expect: has been renamed to `services.lookout.traffic-generator'.
{config, ...}: let
  lookout = config.services.lookout;
in {
  imports = [../vm.nix];

  services.user-service.maxUsers = 500;
  services.order-service.faultControl.inject.errorRatio = 0.5;
  services.alert-receiver.capacity = 50;
  services.traffic-generator.rate = 20;

  assertions = [
    {
      assertion =
        lookout.user-service.maxUsers
        == 500
        && lookout.order-service.faultControl.inject.errorRatio == 0.5
        && lookout.alert-receiver.capacity == 50
        && lookout.traffic-generator.rate == 20
        # Read through the old path, as a module of an older release would.
        && config.services.user-service.maxUsers == 500;
      message = "an old option path did not reach services.lookout.<name>";
    }
  ];
}
