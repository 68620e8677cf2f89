using System.Security.Cryptography;
using System.Text;
using Customers.Grains.Auth;
using Customers.Grains.Auth.Mfa;
using Customers.Host.Database;
using Npgsql;

namespace Customers.Host.Hosting;

/// <summary>
/// Second factors and e-mail verification: their options and the key that seals TOTP secrets. A configured key is used
/// as given (with <c>PreviousEncryptionKeys</c> for rotation). Without one, a local setup (Development or the embedded
/// database) generates a random key once and keeps it beside the data, like the JWT secret; anywhere else MFA answers
/// 400 until a key is set, and the host refuses to start while any identity holds a sealed secret.
/// </summary>
internal static class MfaSetup
{
    private const int GeneratedKeyBytes = 32;

    public static IHostApplicationBuilder AddCustomersMfa(this IHostApplicationBuilder builder, CustomersDatabase database)
    {
        var services = builder.Services;
        services.AddOptions<MfaOptions>().BindConfiguration(MfaOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.Totp is { Digits: >= 6 and <= 8, Period: >= 1 and <= 300, Window: >= 0 and <= 10, Issuer.Length: > 0 },
                "Customers:Mfa:Totp: Digits must be 6 to 8, Period 1 to 300 seconds, Window 0 to 10, Issuer non-empty.")
            .ValidateOnStart();
        services.AddOptions<VerificationOptions>().BindConfiguration(VerificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var options = builder.Configuration.GetSection(MfaOptions.Section).Get<MfaOptions>() ?? new MfaOptions();
        var key = options.EncryptionKey;
        if (string.IsNullOrEmpty(key) && (builder.Environment.IsDevelopment() || database.IsEmbedded))
        {
            key = LoadOrCreateLocalKey(Path.Combine(database.LocalStateDirectory, "mfa-encryption-key"));
        }

        var protector = new MfaSecretProtector(key, options.PreviousEncryptionKeys);
        services.AddSingleton(protector);
        if (!protector.HasKey)
        {
            services.AddHostedService(_ => new MissingKeyCheck(database.ConnectionString));
        }

        return builder;
    }

    private static string LoadOrCreateLocalKey(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToHexString(RandomNumberGenerator.GetBytes(GeneratedKeyBytes));
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, Encoding.ASCII, fileOptions);
            writer.Write(key);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another silo on this machine created it first: use theirs.
            return File.ReadAllText(path).Trim();
        }
    }

    /// <summary>Refuses to start without a key once sealed secrets exist: they could not be opened, so MFA users could not sign in.</summary>
    private sealed class MissingKeyCheck(string connectionString) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM auth_identity WHERE has_mfa_secret)", connection);
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                throw new InvalidOperationException(
                    $"{MfaOptions.Section}:EncryptionKey is required: identities have second factors whose secrets it sealed "
                    + "(environment variable Customers__Mfa__EncryptionKey).");
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
