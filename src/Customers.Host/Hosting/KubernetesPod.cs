namespace Customers.Host.Hosting;

/// <summary>
/// What a pod of deploy/k8s gets from the downward API: <c>POD_IP</c> (the address other silos reach this one on) and
/// <c>ORLEANS_SERVICE_ID</c> / <c>ORLEANS_CLUSTER_ID</c> (from the pod's <c>orleans/serviceId</c> and
/// <c>orleans/clusterId</c> labels). They win over <c>Customers:Cluster</c>. Inside Kubernetes (the kubelet sets
/// <c>KUBERNETES_SERVICE_HOST</c>) the silo also runs <c>UseKubernetesHosting()</c>, which reads the same variables
/// and <c>POD_NAME</c>/<c>POD_NAMESPACE</c>, and deletes the pods of dead silos; clustering stays ADO.NET.
/// </summary>
internal static class KubernetesPod
{
    public static void Apply(IConfiguration configuration, ClusterOptions cluster)
    {
        cluster.AdvertisedAddress = NonEmpty(configuration["POD_IP"]) ?? cluster.AdvertisedAddress;
        cluster.ServiceId = NonEmpty(configuration["ORLEANS_SERVICE_ID"]) ?? cluster.ServiceId;
        cluster.ClusterId = NonEmpty(configuration["ORLEANS_CLUSTER_ID"]) ?? cluster.ClusterId;
    }

    public static bool HasApi(IConfiguration configuration) =>
        NonEmpty(configuration["KUBERNETES_SERVICE_HOST"]) is not null && NonEmpty(configuration["POD_NAME"]) is not null;

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
