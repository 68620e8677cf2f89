using Customers.Testing;
using System.Net;
using System.Text.Json.Nodes;
using Customers.Abstractions.Events;
using Customers.Host.Events;
using Customers.Host.Tests.Http;
using Customers.Host.Tests.Http.Admin;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams;
using Xunit;

namespace Customers.Host.Tests.Events;

/// <summary>
/// The outbox and its delivery (docs/events.md) against a real loopback receiver: events in the same transaction as
/// the change, Medusa's names in the order of docs/medusa-compatibility.md §9, signed webhooks, retries, per-webhook
/// state, dead letters, the stream. Every wait is on a signal of the receiver or the dispatcher, bounded by a timeout.
/// </summary>
[Collection(EventsCollection.Name)]
public sealed class EventDeliveryTests(EventsApiFactory api)
{
    private static readonly string[] CreatedThenUpdated = ["customer.customer.created", "customer.created", "customer.customer.updated", "customer.updated"];

    [Fact]
    public async Task Event_webhooks_get_a_store_sign_up_and_update_signed_in_order()
    {
        var customer = await api.CreateCustomerAsync();
        (await api.Api.PostAsync("/store/customers/me", new { first_name = "Grace" }, customer.Token)).Expect(HttpStatusCode.OK);

        await api.Receiver.WaitForAsync(r => r.Path == "/main" && r.EventName == "customer.updated" && DataId(r) == customer.CustomerId);

        var received = api.Receiver.Received.Where(r => r.Path == "/main" && DataId(r) == customer.CustomerId).ToList();
        Assert.Equal(CreatedThenUpdated, received.OrderBy(r => r.Body["sequence"]!.GetValue<long>()).Select(r => r.EventName));
        Assert.All(received, r =>
        {
            Assert.True(r.SignatureValid);
            Assert.Equal(r.EventId, r.Body["id"]!.GetValue<string>());
            Assert.Equal(r.EventName, r.Body["name"]!.GetValue<string>());
            Assert.Equal(new JsonObject { ["id"] = customer.CustomerId }.ToJsonString(), r.Body["data"]!.ToJsonString());
        });
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["source"] = "customer", ["object"] = "customer", ["action"] = "created" },
            received.Single(r => r.EventName == "customer.customer.created").Body["metadata"]));
        Assert.Null(received.Single(r => r.EventName == "customer.created").Body["metadata"]);
        Assert.Equal(CreatedThenUpdated, await OutboxNamesAsync(customer.CustomerId));
    }

    [Fact]
    public async Task Event_delivery_verifies_with_each_active_secret_alone_and_with_no_other()
    {
        var customer = await api.CreateCustomerAsync();

        var received = await api.Receiver.WaitForAsync(r => r.Path == "/main" && r.EventName == "customer.created" && DataId(r) == customer.CustomerId);

        Assert.Equal(2, received.Headers[WebhookSignature.SignatureHeader].ToString().Split(' ').Length);
        Assert.True(WebhookReceiver.Verifies(EventsApiFactory.MainSecret, received.RawBody, received.Headers));
        Assert.True(WebhookReceiver.Verifies(EventsApiFactory.MainNextSecret, received.RawBody, received.Headers));
        Assert.False(WebhookReceiver.Verifies(EventsApiFactory.FlakySecret, received.RawBody, received.Headers));
        Assert.False(WebhookReceiver.Verifies(EventsApiFactory.MainSecret, received.RawBody.Replace(customer.CustomerId, "cus_other"), received.Headers));
        var otherId = new Microsoft.AspNetCore.Http.HeaderDictionary(received.Headers.ToDictionary()) { [WebhookSignature.IdHeader] = "evt_other" };
        Assert.False(WebhookReceiver.Verifies(EventsApiFactory.MainSecret, received.RawBody, otherId));
        Assert.Equal(received.Body["id"]!.GetValue<string>(), received.Headers[WebhookSignature.IdHeader].ToString());
        Assert.False(received.Headers.ContainsKey("X-Customers-Signature"));
    }

    [Fact]
    public async Task Event_for_a_failing_receiver_arrives_on_retry_and_nobody_gets_it_twice()
    {
        var key = await api.CreateSecretKeyAsync();
        var id = (await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("guest") })).Id();
        var eventId = await EventIdAsync("customer.created", id);

        var flakyDone = await api.Deliveries.WaitForAsync(d => d.EventId == eventId && d.Target == "webhook:flaky");

        Assert.True(flakyDone.Delivered);
        Assert.Equal(EventsApiFactory.FlakyFailures + 1, flakyDone.Attempts);
        var flaky = api.Receiver.Received.Where(r => r.Path == "/flaky" && r.EventId == eventId).ToList();
        Assert.Equal([1, 2, 3], flaky.Select(r => r.Attempt));
        Assert.Equal([503, 503, 204], flaky.Select(r => r.AnsweredStatus));
        Assert.Single(api.Receiver.Received, r => r.Path == "/main" && r.EventId == eventId);
        Assert.DoesNotContain(api.Receiver.Received, r => r.Path == "/dead" && r.EventId == eventId);

        var rows = await Db.RowsAsync(api.ConnectionString,
            "SELECT target, attempts, delivered_at IS NOT NULL AS delivered FROM event_delivery WHERE event_id = $1 ORDER BY target", eventId);
        Assert.Equal(
            ["stream:1:True", "webhook:flaky:3:True", "webhook:main:1:True"],
            rows.Select(r => $"{r["target"]}:{r["attempts"]}:{r["delivered"]}"));
        Assert.True(await Db.ScalarAsync<bool>(api.ConnectionString,
            "SELECT delivered_at IS NOT NULL AND dead_lettered_at IS NULL FROM event_outbox WHERE id = $1", eventId));
    }

    [Fact]
    public async Task Event_is_dead_lettered_for_one_webhook_after_the_last_try_without_affecting_the_others()
    {
        var key = await api.CreateSecretKeyAsync();
        var id = (await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("doomed") })).Id();
        (await api.AdminPostAsync($"/admin/customers/{id}/addresses", key, new JsonObject { ["address_1"] = "Test street 1" })).Expect(HttpStatusCode.OK);
        var addressId = await Db.ScalarAsync<string>(api.ConnectionString, "SELECT id FROM customer_address WHERE customer_id = $1", id);
        (await api.AdminDeleteAsync($"/admin/customers/{id}", key)).Expect(HttpStatusCode.OK);
        var eventId = await EventIdAsync("customer.deleted", id);

        var dead = await api.Deliveries.WaitForAsync(d => d.EventId == eventId && d.Target == "webhook:dead");

        Assert.False(dead.Delivered);
        Assert.Equal(EventsApiFactory.MaxAttempts, dead.Attempts);
        Assert.Equal(EventsApiFactory.MaxAttempts, api.Receiver.Received.Count(r => r.Path == "/dead" && r.EventId == eventId));
        Assert.Single(api.Receiver.Received, r => r.Path == "/main" && r.EventId == eventId);
        var letter = Assert.Single(await Db.RowsAsync(api.ConnectionString,
            "SELECT attempts, last_status, last_error, dead_lettered_at FROM event_delivery WHERE event_id = $1 AND target = 'webhook:dead'", eventId));
        Assert.Equal((EventsApiFactory.MaxAttempts, 500, "HTTP 500"), ((int)letter["attempts"]!, (int)letter["last_status"]!, (string)letter["last_error"]!));
        Assert.NotNull(letter["dead_lettered_at"]);
        await api.Deliveries.WaitForAsync(d => d.EventId == eventId && d.Target == "webhook:flaky");
        Assert.True(await Db.ScalarAsync<bool>(api.ConnectionString,
            "SELECT dead_lettered_at IS NOT NULL AND delivered_at IS NULL AND last_error = 'HTTP 500' FROM event_outbox WHERE id = $1", eventId));

        Assert.Equal(
            ["customer.customer.deleted", "customer.customer-address.deleted", "customer.deleted"],
            (await OutboxEventsAfterAsync(await EventSequenceAsync("customer.customer-address.created", addressId)))
                .Where(e => e.Id == id || e.Id == addressId).Select(e => e.Name));
    }

    [Fact]
    public async Task Event_names_of_admin_changes_follow_medusa_in_order()
    {
        var key = await api.CreateSecretKeyAsync();
        var id = (await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("admin-made") })).Id();
        (await api.AdminPostAsync($"/admin/customers/{id}", key, new JsonObject { ["first_name"] = "Ada" })).Expect(HttpStatusCode.OK);
        (await api.AdminPostAsync($"/admin/customers/{id}/addresses", key,
            new JsonObject { ["address_1"] = "One", ["is_default_shipping"] = true })).Expect(HttpStatusCode.OK);
        var first = await Db.ScalarAsync<string>(api.ConnectionString, "SELECT id FROM customer_address WHERE customer_id = $1", id);
        (await api.AdminPostAsync($"/admin/customers/{id}/addresses", key,
            new JsonObject { ["address_1"] = "Two", ["is_default_shipping"] = true })).Expect(HttpStatusCode.OK);
        var second = await Db.ScalarAsync<string>(api.ConnectionString,
            "SELECT id FROM customer_address WHERE customer_id = $1 AND id <> $2", id, first!);
        (await api.AdminDeleteAsync($"/admin/customers/{id}/addresses/{first}", key)).Expect(HttpStatusCode.OK);

        var events = (await OutboxEventsAfterAsync(await EventSequenceAsync("customer.customer.created", id)) is var all
            ? all.Where(e => e.Id == id || e.Id == first || e.Id == second).Select(e => $"{e.Name} {Label(e.Id)}")
            : []).ToList();

        Assert.Equal(
            [
                "customer.created customer",
                "customer.customer.updated customer", "customer.updated customer",
                "customer.customer-address.created first",
                "customer.customer-address.updated first", "customer.customer-address.created second",
                "customer.customer-address.deleted first",
            ],
            events);
        await api.Receiver.WaitForAsync(r => r.Path == "/main" && r.EventName == "customer.customer-address.deleted" && DataId(r) == first);

        string Label(string entity) => entity == id ? "customer" : entity == first ? "first" : "second";
    }

    [Fact]
    public async Task Event_names_of_group_changes_and_memberships_follow_medusa()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = (await api.CreateGroupAsync(key)).Id();
        var customers = await api.CreateGuestsAsync(key, 2);
        var since = await Db.ScalarAsync<long>(api.ConnectionString, "SELECT max(sequence) FROM event_outbox");

        (await api.AdminPostAsync($"/admin/customer-groups/{group}", key, new JsonObject { ["name"] = CustomerGroupFixture.NewGroupName() }))
            .Expect(HttpStatusCode.OK);
        (await api.ChangeCustomersAsync(key, group, add: customers)).Expect(HttpStatusCode.OK);
        (await api.ChangeCustomersAsync(key, group, remove: [customers[0]])).Expect(HttpStatusCode.OK);
        (await api.AdminDeleteAsync($"/admin/customer-groups/{group}", key)).Expect(HttpStatusCode.OK);

        var memberships = (await Db.RowsAsync(api.ConnectionString,
            "SELECT data ->> 'id' AS id FROM event_outbox WHERE sequence > $1 AND name = 'customer.customer-group-customer.created' ORDER BY sequence", since))
            .Select(r => (string)r["id"]!).ToList();
        Assert.Equal(2, memberships.Count);
        Assert.All(memberships, m => Assert.StartsWith("cusgc_", m, StringComparison.Ordinal));
        Assert.Equal(
            [
                "customer.customer-group.updated", "customer-group.updated",
                "customer.customer-group-customer.created", "customer.customer-group-customer.created",
                "customer.customer-group-customer.deleted",
                "customer.customer-group.deleted", "customer-group.deleted",
            ],
            (await OutboxEventsAfterAsync(since)).Where(e => e.Id == group || memberships.Contains(e.Id)).Select(e => e.Name));
        Assert.Equal(["customer.customer-group.created", "customer-group.created"], (await OutboxNamesAsync(group)).Take(2));
        await api.Receiver.WaitForAsync(r => r.Path == "/main" && r.EventName == "customer-group.deleted" && DataId(r) == group);
    }

    [Fact]
    public async Task Event_of_a_write_that_rolls_back_is_never_recorded()
    {
        var key = await api.CreateSecretKeyAsync();
        var email = CustomersApiFactory.NewEmail("taken");
        await api.CreateGuestAsync(key, new JsonObject { ["email"] = email });
        var before = await Db.ScalarAsync<long>(api.ConnectionString, "SELECT coalesce(max(sequence), 0) FROM event_outbox");

        (await api.AdminPostAsync("/admin/customers", key, new JsonObject { ["email"] = email }))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Customer with email: {email}, has_account: false, already exists.");

        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM event_outbox WHERE sequence > $1", before));
        var other = (await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("fine") })).Id();
        Assert.Equal(["customer.customer.created", "customer.created"], await OutboxNamesAsync(other));
    }

    [Fact]
    public async Task Event_password_reset_goes_through_the_outbox_and_loses_its_token_once_delivered()
    {
        var customer = await api.CreateCustomerAsync();

        (await api.Api.PostAsync("/auth/customer/emailpass/reset-password", new { identifier = customer.Email })).Expect(HttpStatusCode.Created);

        var received = await api.Receiver.WaitForAsync(r =>
            r.Path == "/main" && r.EventName == "auth.password_reset" && r.Body["data"]!["entity_id"]?.GetValue<string>() == customer.Email);
        Assert.True(received.SignatureValid);
        Assert.Equal("customer", received.Body["data"]!["actor_type"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(received.Body["data"]!["token"]!.GetValue<string>()));
        Assert.DoesNotContain(api.Receiver.Received, r => r.Path == "/flaky" && r.EventId == received.EventId);
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1", customer.Email));

        await api.Deliveries.WaitForAsync(d => d.EventId == received.EventId && d.Target == "webhook:main");
        Assert.True(await Db.ScalarAsync<bool>(api.ConnectionString,
            "SELECT delivered_at IS NOT NULL AND NOT data ? 'token' AND data ->> 'entity_id' = $2 FROM event_outbox WHERE id = $1",
            received.EventId, customer.Email));
    }

    [Fact]
    public async Task Event_verification_requested_goes_through_the_outbox_and_loses_its_code_once_delivered()
    {
        var customer = await api.CreateCustomerAsync();

        (await api.Api.PostAsync("/auth/verification/request", new { entity_id = customer.Email, entity_type = "email" }, customer.Token))
            .Expect(HttpStatusCode.Created);

        var received = await api.Receiver.WaitForAsync(r =>
            r.Path == "/main" && r.EventName == "auth.verification_requested" && r.Body["data"]!["entity_id"]?.GetValue<string>() == customer.Email);
        Assert.True(received.SignatureValid);
        Assert.Equal(43, received.Body["data"]!["code"]!.GetValue<string>().Length);
        Assert.Equal(customer.AuthIdentityId, received.Body["data"]!["auth_identity_id"]!.GetValue<string>());
        await api.Deliveries.WaitForAsync(d => d.EventId == received.EventId && d.Target == "webhook:main");
        Assert.True(await Db.ScalarAsync<bool>(api.ConnectionString,
            "SELECT delivered_at IS NOT NULL AND NOT data ? 'code' AND data ->> 'entity_id' = $2 FROM event_outbox WHERE id = $1",
            received.EventId, customer.Email));
    }

    [Fact]
    public async Task Event_stream_carries_every_event_to_in_cluster_subscribers()
    {
        var stream = api.Services.GetRequiredService<IClusterClient>()
            .GetStreamProvider(CustomerEvent.StreamProvider)
            .GetStream<CustomerEvent>(StreamId.Create(CustomerEvent.StreamNamespace, CustomerEvent.StreamKey));
        var seen = new List<CustomerEvent>();
        var created = new TaskCompletionSource<CustomerEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var email = CustomersApiFactory.NewEmail("streamed");
        string? id = null;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handle = await stream.SubscribeAsync(async (e, _) =>
        {
            await ready.Task;
            lock (seen)
            {
                seen.Add(e);
            }

            if (e.Name == "customer.created" && e.DataJson.Contains(id!, StringComparison.Ordinal))
            {
                created.TrySetResult(e);
            }
        });
        try
        {
            var key = await api.CreateSecretKeyAsync();
            id = (await api.CreateGuestAsync(key, new JsonObject { ["email"] = email })).Id();
            ready.SetResult();

            var e = await created.Task.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(await EventIdAsync("customer.created", id), e.Id);
            Assert.Equal(new JsonObject { ["id"] = id }.ToJsonString(), JsonNode.Parse(e.DataJson)!.ToJsonString());
            lock (seen)
            {
                Assert.Contains(seen, s => s.Name == "customer.customer.created" && s.DataJson.Contains(id, StringComparison.Ordinal) && s.Sequence < e.Sequence);
            }
        }
        finally
        {
            await handle.UnsubscribeAsync();
        }
    }

    private static string? DataId(ReceivedWebhook r) => r.Body["data"]?["id"]?.GetValue<string>();

    private async Task<List<string>> OutboxNamesAsync(string entityId) =>
        (await Db.RowsAsync(api.ConnectionString, "SELECT name FROM event_outbox WHERE data ->> 'id' = $1 ORDER BY sequence", entityId))
        .Select(r => (string)r["name"]!).ToList();

    private async Task<string> EventIdAsync(string name, string entityId) =>
        (await Db.ScalarAsync<string>(api.ConnectionString, "SELECT id FROM event_outbox WHERE name = $1 AND data ->> 'id' = $2", name, entityId))
        ?? throw new InvalidOperationException($"No {name} event for {entityId}.");

    private async Task<long> EventSequenceAsync(string name, string? entityId) =>
        await Db.ScalarAsync<long>(api.ConnectionString, "SELECT sequence FROM event_outbox WHERE name = $1 AND data ->> 'id' = $2", name, entityId!);

    /// <summary>Events after <paramref name="sequence"/>, in sequence order (the caller picks its own entities).</summary>
    private async Task<List<(string Name, string Id)>> OutboxEventsAfterAsync(long sequence) =>
        (await Db.RowsAsync(api.ConnectionString, "SELECT name, data ->> 'id' AS id FROM event_outbox WHERE sequence > $1 ORDER BY sequence", sequence))
        .Select(r => ((string)r["name"]!, (string)r["id"]!)).ToList();
}
