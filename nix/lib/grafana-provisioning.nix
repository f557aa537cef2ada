# Grafana provisioning for lookout: the Prometheus datasource, with the fixed uid
# every dashboard in dashboards/ refers to (and, with tracing, the Tempo
# datasource linked to it), and one file provider that loads the
# dashboards from a directory. The two results are the contents of Grafana's
# provisioning/datasources/*.yaml and provisioning/dashboards/*.yaml, and fit
# `services.grafana.provision.{datasources,dashboards}.settings` in NixOS.
# Pure: builtins only.
#
# Arguments:
#   prometheusUrl  URL Grafana's backend uses to reach Prometheus, e.g. "http://127.0.0.1:9090".
#   dashboardsPath directory holding the dashboard JSON files (a path or a string).
#   scrapeInterval the scrape interval Prometheus uses, default "15s": Grafana's
#                  $__rate_interval is derived from it, so it must match.
#   folder         Grafana folder the dashboards appear in, default "lookout".
#   globalViewUrl  null, or the URL of a Prometheus-compatible global view that
#                  deduplicates a replica pair (Thanos Query): a second datasource,
#                  uid `global`, for the same dashboards across both replicas.
#   tempoUrl       null, or the URL of Tempo's HTTP API: a Tempo datasource, uid
#                  `tempo`, whose spans link to metrics of the Prometheus datasource
#                  and whose service map reads the metrics-generator's series there.
{
  prometheusUrl,
  dashboardsPath,
  scrapeInterval ? "15s",
  folder ? "lookout",
  globalViewUrl ? null,
  tempoUrl ? null,
}: let
  # Dashboards and the Tempo datasource's links reference this uid.
  prometheusUid = "prometheus";
in {
  datasources = {
    apiVersion = 1;
    datasources =
      [
        {
          name = "Prometheus";
          type = "prometheus";
          # Dashboards reference this uid, never a name or an export placeholder.
          uid = prometheusUid;
          # The browser talks to Grafana only; Grafana's backend queries Prometheus
          # (direct browser access is gone since Grafana 9.2).
          access = "proxy";
          url = prometheusUrl;
          isDefault = true;
          editable = false;
          jsonData.timeInterval = scrapeInterval;
        }
      ]
      ++ (
        if globalViewUrl == null
        then []
        else [
          {
            name = "Global view";
            type = "prometheus";
            # Fixed like `prometheus`: select it on a dashboard by this uid. Thanos
            # Query deduplicates by default, so no extra query parameter is needed.
            uid = "global";
            access = "proxy";
            url = globalViewUrl;
            isDefault = false;
            editable = false;
            jsonData.timeInterval = scrapeInterval;
          }
        ]
      )
      ++ (
        if tempoUrl == null
        then []
        else [
          {
            name = "Tempo";
            type = "tempo";
            # Dashboards link from latency panels to traces by this uid.
            uid = "tempo";
            access = "proxy";
            url = tempoUrl;
            isDefault = false;
            editable = false;
            jsonData = {
              # "Metrics for this span": Tempo's span metrics carry the span's
              # service.name as the label `service`. Grafana's default query is
              # used (no metric name is written here).
              tracesToMetrics = {
                datasourceUid = prometheusUid;
                tags = [
                  {
                    key = "service.name";
                    value = "service";
                  }
                ];
              };
              # The service map reads traces_service_graph_* from Prometheus.
              serviceMap.datasourceUid = prometheusUid;
              nodeGraph.enabled = true;
            };
          }
        ]
      );
  };

  dashboards = {
    apiVersion = 1;
    providers = [
      {
        name = "lookout";
        type = "file";
        inherit folder;
        # The files are the source of truth: edits in the UI cannot be saved and
        # a dashboard removed from the directory disappears from Grafana.
        disableDeletion = false;
        allowUiUpdates = false;
        options.path = dashboardsPath;
      }
    ];
  };
}
