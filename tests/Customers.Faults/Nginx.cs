using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Customers.Faults;

/// <summary>
/// A real nginx from the distribution in front of the silos: round robin over fixed silo ports, the client's own
/// address put in <c>X-Forwarded-For</c> (replacing whatever the client sent: this balancer is the edge), and a
/// refused or failed connection retried on the next silo (a request already sent is not: POSTs are not idempotent).
/// Runs in the foreground from a temporary directory of its own; disposing stops it and deletes the directory.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/nginx";
    private readonly Process _process;
    private readonly string _directory;

    private Nginx(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <param name="listenPort">The loopback port clients connect to.</param>
    /// <param name="siloHttpPorts">The silos' HTTP ports on 127.0.0.1.</param>
    public static async Task<Nginx> StartAsync(int listenPort, IEnumerable<int> siloHttpPorts)
    {
        if (!File.Exists(Binary))
        {
            throw new InvalidOperationException($"{Binary} is missing: install Debian's nginx package (.ci/run does).");
        }

        var directory = Directory.CreateTempSubdirectory("customers-nginx-").FullName;
        var config = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(config, Configuration(directory, listenPort, siloHttpPorts));
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-p", directory, "-c", config, "-e", Path.Combine(directory, "error.log") })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        var nginx = new Nginx(process, directory, new Uri($"http://127.0.0.1:{listenPort}"));
        try
        {
            await nginx.WaitUntilListeningAsync(listenPort, DateTime.UtcNow.AddSeconds(20));
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }

        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private static string Configuration(string directory, int listenPort, IEnumerable<int> siloHttpPorts)
    {
        var upstreams = new StringBuilder();
        foreach (var port in siloHttpPorts)
        {
            // A silo that refused a connection is left out for 2 s, then tried again (it may have restarted).
            upstreams.Append(CultureInfo.InvariantCulture, $"    server 127.0.0.1:{port} max_fails=1 fail_timeout=2s;\n");
        }

        return $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            user root root;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
              upstream silos {
            {{upstreams}}    keepalive 64;
              }
              server {
                listen 127.0.0.1:{{listenPort}};
                location / {
                  proxy_pass http://silos;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $host;
                  proxy_set_header X-Forwarded-For $remote_addr;
                  proxy_set_header X-Forwarded-Proto $scheme;
                  proxy_next_upstream error timeout;
                  proxy_connect_timeout 2s;
                  proxy_read_timeout 60s;
                }
              }
            }

            """;
    }

    private async Task WaitUntilListeningAsync(int port, DateTime deadline)
    {
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"nginx exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
        }
    }
}
