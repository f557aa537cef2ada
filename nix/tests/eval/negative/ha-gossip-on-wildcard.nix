# Gossip binds a concrete address: on 0.0.0.0 Alertmanager guesses what to advertise.
# expect: services.lookout.monitoring.ha.alertmanager.gossipAddress' is not of type
{
  services.lookout.monitoring.ha.alertmanager.gossipAddress = "0.0.0.0";
}
