# A sidecar serves a replica: without ha.enable there are no labels to tell replicas apart.
# expect: services.lookout.monitoring.ha.thanosSidecar needs ha.enable
{
  services.lookout.monitoring.ha.thanosSidecar.enable = true;
}
