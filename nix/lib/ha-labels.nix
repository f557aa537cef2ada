# The external label names that tell the replicas of one Prometheus pair apart
# and name the pair, written once: the Prometheus config (external labels, the
# labeldrop of alerts sent), the host end-to-end test and the NixOS options all
# read them from here. Thanos Query's `--query.replica-label` must be `replica`.
{
  # Differs between the replicas (e.g. the host name); dropped from alerts so
  # Alertmanager sees one alert, kept on remote-written and federated series.
  replica = "replica";
  # Same on every replica of one pair; names the pair in a global view.
  cluster = "cluster";
}
