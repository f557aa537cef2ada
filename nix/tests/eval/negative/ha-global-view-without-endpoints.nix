# A global view with nothing to query.
# expect: services.lookout.monitoring.ha.globalView is enabled with no endpoints
{
  services.lookout.monitoring.ha.globalView.enable = true;
}
