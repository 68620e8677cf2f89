using System.Diagnostics;
using System.Net;
using Customers.Host.Tests.Http.Admin;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// Statement timeouts per request class end in a clear 503, not a hang. A test transaction holds a table lock, so the
/// request's statement waits for it and PostgreSQL cancels it at the configured timeout.
/// </summary>
public sealed class StatementTimeoutTests(StatementTimeoutTests.TimeoutApiFactory api) : IClassFixture<StatementTimeoutTests.TimeoutApiFactory>
{
    [Fact]
    public async Task An_admin_list_past_its_timeout_answers_503_with_a_clear_message()
    {
        var key = await api.CreateSecretKeyAsync();
        await using var lockHolder = await LockAsync("customer");

        var watch = Stopwatch.StartNew();
        var response = await api.AdminGetAsync("/admin/customers", key);

        response.ExpectError(HttpStatusCode.ServiceUnavailable, "unexpected_state", "The list took longer than its time limit. Narrow the filters or retry the request.");
        Assert.Equal("1", response.Header("Retry-After"));
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_login_past_the_hot_path_timeout_answers_503_and_works_once_the_lock_is_gone()
    {
        var customer = await api.CreateCustomerAsync();
        var lockHolder = await LockAsync("provider_identity");

        var blocked = await api.Api.PostAsync("/auth/customer/emailpass", new { email = customer.Email, password = customer.Password });
        await lockHolder.DisposeAsync();
        var after = await api.Api.PostAsync("/auth/customer/emailpass", new { email = customer.Email, password = customer.Password });

        blocked.ExpectError(HttpStatusCode.ServiceUnavailable, "unexpected_state", "The database took too long to answer. Please retry the request.");
        after.Expect(HttpStatusCode.OK);
    }

    /// <summary>An open transaction holding an exclusive lock on <paramref name="table"/> until disposed.</summary>
    private async Task<NpgsqlConnection> LockAsync(string table)
    {
        var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>Short timeouts for both classes (the defaults are 5 s and 20 s).</summary>
    public sealed class TimeoutApiFactory : CustomersApiFactory
    {
        protected override string DatabasePrefix => "http_timeouts";

        protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
        [
            new("Customers:Database:StatementTimeouts:Hot", "00:00:00.500"),
            new("Customers:Database:StatementTimeouts:Lists", "00:00:00.500"),
        ];
    }
}
