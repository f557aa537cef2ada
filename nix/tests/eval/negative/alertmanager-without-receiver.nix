# Alertmanager needs somewhere to send notifications.
# expect: services.lookout.monitoring.alertmanager.webhookUrl is null
{lib, ...}: {
  services.lookout.alert-receiver.enable = lib.mkForce false;
}
