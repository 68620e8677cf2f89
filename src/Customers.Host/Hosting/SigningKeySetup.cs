using System.Security.Cryptography;
using System.Text;
using Customers.Host.Auth;
using Customers.Host.Database;

namespace Customers.Host.Hosting;

/// <summary>
/// Resolves the JWT secret. A configured secret must be strong; without one, only a local setup (Development or the
/// embedded database) may run, with a random secret generated once and kept beside the data, never in the code.
/// </summary>
internal static class SigningKeySetup
{
    private const int MinimumBytes = 32;

    // Secrets from tutorials and Medusa's defaults: refuse them outright.
    private static readonly string[] KnownDefaults = ["supersecret", "secret", "changeme", "change-me", "development"];

    public static SigningKey Resolve(JwtOptions options, IHostEnvironment environment, CustomersDatabase database)
    {
        if (!string.IsNullOrEmpty(options.Secret))
        {
            var bytes = Encoding.UTF8.GetBytes(options.Secret);
            if (bytes.Length < MinimumBytes || KnownDefaults.Contains(options.Secret, StringComparer.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(
                    $"Customers:Jwt:Secret must be a random value of at least {MinimumBytes} bytes (not a well-known default).");
            }

            return new SigningKey(bytes);
        }

        if (!environment.IsDevelopment() && !database.IsEmbedded)
        {
            throw new InvalidOperationException(
                "Customers:Jwt:Secret is required (environment variable Customers__Jwt__Secret), e.g. the output of `openssl rand -hex 32`.");
        }

        return new SigningKey(LoadOrCreateLocalSecret(Path.Combine(database.LocalStateDirectory, "jwt-secret")));
    }

    private static byte[] LoadOrCreateLocalSecret(string path)
    {
        if (File.Exists(path))
        {
            return Convert.FromHexString(File.ReadAllText(path).Trim());
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var secret = RandomNumberGenerator.GetBytes(MinimumBytes);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, Encoding.ASCII, options);
            writer.Write(Convert.ToHexString(secret));
            return secret;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another silo on this machine created it first: use theirs.
            return Convert.FromHexString(File.ReadAllText(path).Trim());
        }
    }
}
