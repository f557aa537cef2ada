# A peer of an Alertmanager cluster needs an address to gossip on.
# expect: services.lookout.monitoring.ha.alertmanager.peers is set but gossipAddress is null
{
  services.lookout.monitoring.ha.alertmanager.peers = ["10.0.0.12:${toString (builtins.fromJSON (builtins.readFile ../../../ports.json)).alertmanager-gossip}"];
}
