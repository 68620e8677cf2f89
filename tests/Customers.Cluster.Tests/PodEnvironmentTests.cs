using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Customers.Testing;
using Xunit;
using YamlDotNet.RepresentationModel;
using static Customers.Cluster.Tests.MedusaApi;

namespace Customers.Cluster.Tests;

/// <summary>
/// Two silos started with exactly the environment deploy/k8s gives a pod: the Deployment's env list as
/// <c>kubectl kustomize</c> renders it (what <c>kubectl apply -k</c> sends), resolved the way the kubelet would. A
/// loopback address stands in for each pod's IP, and as both "pods" share this machine, each gets free ports for the
/// container ports and listens on its own address rather than on every address.
/// </summary>
public sealed partial class PodEnvironmentTests
{
    private const string Overlay = "deploy/k8s/overlays/example";
    private const int ActiveStatus = 3; // Orleans' SiloStatus.Active in orleansmembershiptable.status

    [Fact]
    public async Task Two_silos_with_the_pod_environment_of_the_manifests_form_one_cluster()
    {
        var template = await RenderSiloTemplateAsync();
        await using var cluster = await SiloCluster.CreateAsync("pods");
        var secrets = new Dictionary<string, string>
        {
            ["connection-string"] = cluster.ConnectionString,
            ["jwt-secret"] = cluster.Settings.JwtSecret,
            ["mfa-encryption-key"] = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        };

        Task<Pod>[] starting =
        [
            StartPodAsync(template, "customers-silo-a", IPAddress.Parse("127.0.0.1"), secrets),
            StartPodAsync(template, "customers-silo-b", IPAddress.Parse("127.0.0.2"), secrets),
        ];
        Pod[] pods;
        try
        {
            pods = await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }

            throw;
        }

        await using var podA = pods[0];
        await using var podB = pods[1];

        await using (var connection = await cluster.OpenAsync())
        await using (var command = new Npgsql.NpgsqlCommand(
            "SELECT address, port, status FROM orleansmembershiptable WHERE deploymentid = $1 ORDER BY address", connection))
        {
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = template.Labels["orleans/clusterId"] });
            await using var reader = await command.ExecuteReaderAsync();
            var members = new List<(string Address, int Port, int Status)>();
            while (await reader.ReadAsync())
            {
                members.Add((reader.GetString(0), reader.GetInt32(1), reader.GetInt32(2)));
            }

            Assert.Equal(
                [("127.0.0.1", podA.SiloPort, ActiveStatus), ("127.0.0.2", podB.SiloPort, ActiveStatus)],
                members);
        }

        var api = new MedusaApi(cluster.PublishableKey);
        var email = TwoSiloTests.NewEmail();
        Expect(await api.RegisterAsync(podA.Silo, email, TwoSiloTests.Password), HttpStatusCode.OK, "register on pod A");
        Expect(await api.LoginAsync(podB.Silo, email, TwoSiloTests.Password), HttpStatusCode.OK, "log in on pod B");
    }

    private static async Task<Pod> StartPodAsync(
        PodTemplate template, string podName, IPAddress podIp, IReadOnlyDictionary<string, string> secrets)
    {
        var free = SiloProcess.FreePorts(template.Ports.Count);
        var ports = template.Ports.Values.Select((containerPort, i) => (containerPort, free[i])).ToDictionary();
        var ip = podIp.ToString();

        // The test process's own settings are not part of a pod; the kubelet's KUBERNETES_* would switch on the
        // Kubernetes API, which is not here.
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Customers"] = null,
            ["Customers__Jwt__Secret"] = null,
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["DOTNET_ENVIRONMENT"] = null,
            ["KUBERNETES_SERVICE_HOST"] = null,
        };
        foreach (var variable in template.Environment)
        {
            var name = Text(variable, "name");
            environment[name] = variable.Children.ContainsKey("value")
                ? OnThisMachine(name, Text(variable, "value"), ip, ports)
                : FromSource(template, (YamlMappingNode)variable["valueFrom"], podName, ip, secrets);
        }

        var http = ports[template.Ports["http"]];
        var silo = await SiloProcess.StartAsync(podName, new HostLaunch(
            new Uri($"http://{ip}:{http}"), Path.GetDirectoryName(SiloProcess.HostAssemblyPath)!, [], environment));
        return new Pod(silo, ports[template.Ports["silo"]]);
    }

    /// <summary>A literal value, with the pod's own address for "any address" and this pod's free ports for the
    /// container ports (two pods on one machine cannot both hold 11111).</summary>
    private static string OnThisMachine(string name, string value, string podIp, IReadOnlyDictionary<int, int> ports)
    {
        if (name.EndsWith("ListenOnAnyHostAddress", StringComparison.Ordinal))
        {
            return "false"; // a pod's only address is its IP, which the silo then listens on
        }

        value = value.Replace("0.0.0.0", podIp, StringComparison.Ordinal);
        foreach (var (containerPort, port) in ports)
        {
            var text = containerPort.ToString(CultureInfo.InvariantCulture);
            if (value == text || value.EndsWith(":" + text, StringComparison.Ordinal))
            {
                return value[..^text.Length] + port.ToString(CultureInfo.InvariantCulture);
            }
        }

        return value;
    }

    /// <summary>What the kubelet puts in a <c>valueFrom</c> variable; anything else fails the test until it is handled here.</summary>
    private static string FromSource(
        PodTemplate template, YamlMappingNode source, string podName, string podIp, IReadOnlyDictionary<string, string> secrets)
    {
        if (source.Children.TryGetValue("secretKeyRef", out var secret))
        {
            var key = Text((YamlMappingNode)secret, "key");
            return secrets.TryGetValue(key, out var value) ? value : throw new InvalidOperationException($"No test value for secret key {key}.");
        }

        var path = Text((YamlMappingNode)source["fieldRef"], "fieldPath");
        return path switch
        {
            "metadata.name" => podName,
            "metadata.namespace" => template.Namespace,
            "status.podIP" => podIp,
            _ when LabelPath().Match(path) is { Success: true } label => template.Labels[label.Groups[1].Value],
            _ => throw new InvalidOperationException($"Unhandled downward API field {path}."),
        };
    }

    private static async Task<PodTemplate> RenderSiloTemplateAsync()
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("kustomize");
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, Overlay));
        using var kubectl = Process.Start(start)!;
        var output = kubectl.StandardOutput.ReadToEndAsync();
        var error = await kubectl.StandardError.ReadToEndAsync();
        await kubectl.WaitForExitAsync();
        Assert.True(kubectl.ExitCode == 0, $"kubectl kustomize {Overlay} failed: {error}");

        var stream = new YamlStream();
        stream.Load(new StringReader(await output));
        var deployment = stream.Documents.Select(d => (YamlMappingNode)d.RootNode)
            .Single(o => Text(o, "kind") == "Deployment" && Text((YamlMappingNode)o["metadata"], "name") == "customers-silo");
        var pod = (YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"];
        var container = ((YamlSequenceNode)((YamlMappingNode)pod["spec"])["containers"]).Cast<YamlMappingNode>()
            .Single(c => Text(c, "name") == "silo");
        return new PodTemplate(
            Text((YamlMappingNode)deployment["metadata"], "namespace"),
            ((YamlMappingNode)((YamlMappingNode)pod["metadata"])["labels"]).Children
                .ToDictionary(l => ((YamlScalarNode)l.Key).Value!, l => ((YamlScalarNode)l.Value).Value!),
            ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>()
                .ToDictionary(p => Text(p, "name"), p => int.Parse(Text(p, "containerPort"), CultureInfo.InvariantCulture)),
            [.. ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>()]);
    }

    private static string Text(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    [GeneratedRegex(@"^metadata\.labels\['(.+)'\]$")]
    private static partial Regex LabelPath();

    /// <summary>The silo pod of the rendered Deployment: its namespace, labels, container ports by name and env list.</summary>
    private sealed record PodTemplate(
        string Namespace, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, int> Ports, IReadOnlyList<YamlMappingNode> Environment);

    private sealed record Pod(SiloProcess Silo, int SiloPort) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Silo.DisposeAsync();
    }
}
