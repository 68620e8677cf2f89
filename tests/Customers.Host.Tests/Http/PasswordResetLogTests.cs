using Customers.Testing;
using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>A host whose every log entry, at every level and from every category, is kept in memory.</summary>
public sealed class LogCapturingApiFactory : CustomersApiFactory
{
    public CapturingLoggerProvider Logs { get; } = new();

    protected override string DatabasePrefix => "http_reset_logs";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);

        // The console stays at the configured levels; only this provider sees Trace and up, everywhere.
        builder.ConfigureLogging(logging => logging
            .AddProvider(Logs)
            .AddFilter<CapturingLoggerProvider>(category: null, LogLevel.Trace));
    }
}

/// <summary>Keeps each entry's formatted message, structured values and exception text.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            entries.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            entries.Enqueue($"{logLevel} {category}: {formatter(state, exception)} [{values}] {exception}");
        }
    }
}

/// <summary>
/// Reset tokens, their secret id and passwords never reach a log (security baseline), whatever the log level: the
/// whole reset and change flow runs, including refusals, with every category captured at Trace.
/// </summary>
public sealed class PasswordResetLogTests(LogCapturingApiFactory api) : IClassFixture<LogCapturingApiFactory>
{
    [Fact]
    public async Task Tokens_and_passwords_never_appear_in_any_log_entry()
    {
        var customer = await api.CreateCustomerAsync();
        (await api.Api.PostAsync("/auth/customer/emailpass/reset-password", new { identifier = customer.Email, metadata = new { via = "test" } }))
            .Expect(HttpStatusCode.Created);
        await api.WhenBackgroundWorkDoneAsync();
        var token = (await Db.ScalarAsync<string>(api.ConnectionString,
            "SELECT data ->> 'token' FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1",
            customer.Email))!;
        var jti = Jwt.Payload(token)["jti"]!.GetValue<string>();
        var resetPassword = CustomersApiFactory.NewPassword();
        var changedPassword = CustomersApiFactory.NewPassword();

        (await api.Api.PostAsync("/auth/customer/emailpass/update", new { password = "short" }, token)).Expect(HttpStatusCode.BadRequest);
        (await api.Api.PostAsync("/auth/user/emailpass/update", new { password = resetPassword }, token)).Expect(HttpStatusCode.Unauthorized);
        (await api.Api.PostAsync("/auth/customer/emailpass/update", new { password = resetPassword }, token)).Expect(HttpStatusCode.OK);
        (await api.Api.PostAsync("/auth/customer/emailpass/update", new { password = resetPassword }, token)).Expect(HttpStatusCode.Unauthorized);
        var fresh = await api.LoginAsync(customer.Email, resetPassword);
        (await api.Api.PostAsync("/store/customers/me/password", new { current_password = resetPassword, new_password = changedPassword }, fresh))
            .Expect(HttpStatusCode.OK);
        await api.LoginAsync(customer.Email, changedPassword);

        var entries = api.Logs.Entries.ToArray();
        Assert.NotEmpty(entries);
        Assert.Contains(entries, e => e.Contains(customer.AuthIdentityId, StringComparison.Ordinal)); // the flow did log
        Assert.Contains(entries, e => e.StartsWith("Debug ", StringComparison.Ordinal)); // below the console's levels too
        foreach (var secret in new[] { token, token.Split('.')[1], token.Split('.')[2], jti, customer.Password, resetPassword, changedPassword })
        {
            Assert.DoesNotContain(entries, e => e.Contains(secret, StringComparison.Ordinal));
        }
    }
}
