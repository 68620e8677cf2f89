using System.Net;
using System.Text.Json.Nodes;
using Customers.Host.Tests.Http.Admin;
using Customers.Host.Tests.Http.Mfa;
using Customers.Host.Tests.Http.OAuth;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.OpenApi;

/// <summary>
/// Real answers fit the document: each family calls every one of its operations until it succeeds and at least once
/// with an error, and <see cref="OpenApiContract"/> checks every answer (status declared, body valid, every key
/// declared). Redirect sign-ins are in <see cref="OAuthAnswerTests"/>. On a host of their own: the password reset
/// leaves an event that tests of the shared host do not expect.
/// </summary>
public sealed class OpenApiAnswerTests(OpenApiApiFactory api) : IClassFixture<OpenApiApiFactory>
{
    public static readonly string[] AuthOperations =
    [
        "AuthRegister", "AuthLoginPost", "AuthListProviders", "AuthRefreshToken", "AuthCreateSession", "AuthDeleteSession",
        "AuthResetPassword", "AuthUpdateProvider",
    ];

    public static readonly string[] StoreOperations =
    [
        "StoreCreateCustomer", "StoreGetCustomer", "StoreUpdateCustomer", "StoreCreateAddress", "StoreListAddresses",
        "StoreGetAddress", "StoreUpdateAddress", "StoreDeleteAddress", "StoreChangePassword",
    ];

    public static readonly string[] AdminKeyOperations =
    [
        "AdminGetCurrentUser", "AdminListApiKeys", "AdminCreateApiKey", "AdminGetApiKey", "AdminUpdateApiKey", "AdminDeleteApiKey",
        "AdminRevokeApiKey",
    ];

    public static readonly string[] AdminCustomerOperations =
    [
        "AdminListCustomers", "AdminCreateCustomer", "AdminGetCustomer", "AdminUpdateCustomer", "AdminDeleteCustomer",
        "AdminListCustomerAddresses", "AdminCreateCustomerAddress", "AdminGetCustomerAddress", "AdminUpdateCustomerAddress",
        "AdminDeleteCustomerAddress", "AdminBatchCustomerGroups", "AdminListCustomerGroups", "AdminCreateCustomerGroup",
        "AdminGetCustomerGroup", "AdminUpdateCustomerGroup", "AdminDeleteCustomerGroup", "AdminBatchCustomerGroupCustomers",
    ];

    private static readonly HttpMethod Get = HttpMethod.Get;
    private static readonly HttpMethod Post = HttpMethod.Post;
    private static readonly HttpMethod Delete = HttpMethod.Delete;

    [Fact]
    public async Task Every_operation_is_called_by_a_family()
    {
        var contract = await OpenApiContract.LoadAsync(api);

        string[][] families =
        [
            AuthOperations, StoreOperations, AdminKeyOperations, AdminCustomerOperations, OAuthAnswerTests.Operations,
            MfaAnswerTests.Operations, VerificationAnswerTests.Operations,
        ];
        Assert.Equal(
            contract.Operations.Select(o => o.Id).Order(),
            families.SelectMany(family => family).Distinct().Order());
    }

    [Fact]
    public async Task Auth_answers_fit_the_document()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var email = CustomersApiFactory.NewEmail("openapi");
        var password = CustomersApiFactory.NewPassword();
        var credentials = new JsonObject { ["email"] = email, ["password"] = password };

        (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass/register", new JsonObject { ["email"] = email }))
            .Expect(HttpStatusCode.Unauthorized);
        var registration = (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass/register", credentials.DeepClone()))
            .Expect(HttpStatusCode.OK).Token();
        (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass", new JsonObject { ["email"] = email, ["password"] = "not-the-password" }))
            .Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, Get, "/auth/customer/emailpass")).Expect(HttpStatusCode.Unauthorized);
        var token = (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass", credentials.DeepClone())).Expect(HttpStatusCode.OK).Token();
        (await contract.SendAsync(api.Api, Post, "/auth/user/github", new JsonObject())).Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, Get, "/auth/customer/emailpass/callback?code=x&state=y")).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, Get, "/auth/customer/providers")).Expect(HttpStatusCode.OK);

        (await contract.SendAsync(api.Api, Post, "/auth/token/refresh")).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, Post, "/auth/token/refresh", token: registration)).Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Post, "/auth/session")).Expect(HttpStatusCode.Unauthorized);
        var session = (await contract.SendAsync(api.Api, Post, "/auth/session", token: token)).Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Delete, "/auth/session")).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, Delete, "/auth/session", configure: AdminFixture.Cookie(session.SetCookies.Single().Split(';')[0])))
            .Expect(HttpStatusCode.OK);

        (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass/reset-password", new JsonObject())).Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass/reset-password", new JsonObject { ["identifier"] = email }))
            .Expect(HttpStatusCode.Created);
        await api.WhenBackgroundWorkDoneAsync();
        var resetToken = await Db.ScalarAsync<string>(
            api.ConnectionString,
            "SELECT data ->> 'token' FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1",
            email);
        var newPassword = new JsonObject { ["password"] = CustomersApiFactory.NewPassword() };
        (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass/update", newPassword.DeepClone(), token)).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, Post, "/auth/customer/emailpass/update", newPassword, resetToken)).Expect(HttpStatusCode.OK);

        contract.AssertCovered(AuthOperations);
    }

    [Fact]
    public async Task Store_answers_fit_the_document()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var email = CustomersApiFactory.NewEmail("openapi");
        var password = CustomersApiFactory.NewPassword();
        var registration = await api.RegisterAsync(email, password);

        var profile = new JsonObject { ["email"] = email, ["first_name"] = "Ann", ["metadata"] = new JsonObject { ["tier"] = "gold" } };
        (await contract.SendAsync(api.Anonymous, Post, "/store/customers", profile.DeepClone(), registration)).Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, Post, "/store/customers", profile.DeepClone())).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, Post, "/store/customers", profile.DeepClone(), registration)).Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Post, "/store/customers", profile, await api.RegisterAsync(CustomersApiFactory.NewEmail(), password)))
            .Expect(HttpStatusCode.UnprocessableEntity);
        var token = await api.LoginAsync(email, password);

        (await contract.SendAsync(api.Api, Get, "/store/customers/me?fields=*orders", token: token)).Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Get, "/store/customers/me?foo=1", token: token)).Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, Post, "/store/customers/me", new JsonObject { ["last_name"] = "Lee", ["phone"] = null }, token))
            .Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Post, "/store/customers/me", new JsonObject { ["email"] = email }, token)).Expect(HttpStatusCode.BadRequest);

        var address = new JsonObject { ["address_name"] = "Home", ["city"] = "Aarhus", ["country_code"] = "dk", ["is_default_shipping"] = true };
        var added = (await contract.SendAsync(api.Api, Post, "/store/customers/me/addresses", address, token)).Expect(HttpStatusCode.OK);
        var addressId = added.Object["customer"]!["addresses"]![0]!.Id();
        (await contract.SendAsync(api.Api, Post, "/store/customers/me/addresses", new JsonObject { ["country_code"] = "xx" }, token))
            .Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, Get, "/store/customers/me/addresses?q=aar&city[]=Aarhus&limit=10&order=-created_at", token: token))
            .Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Get, "/store/customers/me/addresses?limit=-1", token: token)).Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, Get, $"/store/customers/me/addresses/{addressId}", token: token)).Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Get, "/store/customers/me/addresses/cuaddr_missing", token: token)).Expect(HttpStatusCode.NotFound);
        (await contract.SendAsync(api.Api, Post, $"/store/customers/me/addresses/{addressId}", new JsonObject { ["city"] = "Oslo" }, token))
            .Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Post, "/store/customers/me/addresses/cuaddr_missing", new JsonObject(), token))
            .Expect(HttpStatusCode.NotFound);
        (await contract.SendAsync(api.Api, Delete, $"/store/customers/me/addresses/{addressId}", token: token)).Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, Delete, $"/store/customers/me/addresses/{addressId}", token: token)).Expect(HttpStatusCode.NotFound);

        var change = new JsonObject { ["current_password"] = "not-the-password", ["new_password"] = CustomersApiFactory.NewPassword() };
        (await contract.SendAsync(api.Api, Post, "/store/customers/me/password", change.DeepClone(), token)).Expect(HttpStatusCode.Unauthorized);
        change["current_password"] = password;
        (await contract.SendAsync(api.Api, Post, "/store/customers/me/password", change, token)).Expect(HttpStatusCode.OK);

        contract.AssertCovered(StoreOperations);
    }

    [Fact]
    public async Task Admin_user_and_api_key_answers_fit_the_document()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var key = await api.CreateSecretKeyAsync();
        var admin = await api.CreateAdminAsync();

        (await contract.SendAsync(api.Anonymous, Get, "/admin/users/me", token: admin.Token)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, "/admin/users/me", key)).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Anonymous, Get, "/admin/api-keys")).Expect(HttpStatusCode.Unauthorized);

        var created = (await Admin(contract, Post, "/admin/api-keys", key, new JsonObject { ["title"] = "Docs", ["type"] = "publishable" }))
            .Expect(HttpStatusCode.OK);
        var id = created.Object["api_key"]!.Id();
        (await Admin(contract, Post, "/admin/api-keys", key, new JsonObject { ["title"] = "Docs", ["type"] = "other" })).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Get, "/admin/api-keys?type=publishable&limit=5&order=-created_at", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, "/admin/api-keys?foo=1", key)).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Get, $"/admin/api-keys/{id}?fields=+deleted_at", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, "/admin/api-keys/apk_missing", key)).Expect(HttpStatusCode.NotFound);
        (await Admin(contract, Post, $"/admin/api-keys/{id}", key, new JsonObject { ["title"] = "Renamed" })).Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, "/admin/api-keys/apk_missing", key, new JsonObject { ["title"] = "Renamed" })).Expect(HttpStatusCode.NotFound);
        (await Admin(contract, Delete, $"/admin/api-keys/{id}", key)).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Post, "/admin/api-keys/apk_missing/revoke", key, new JsonObject())).Expect(HttpStatusCode.NotFound);
        (await Admin(contract, Post, $"/admin/api-keys/{id}/revoke", key, new JsonObject())).Expect(HttpStatusCode.OK);
        (await Admin(contract, Delete, $"/admin/api-keys/{id}", key)).Expect(HttpStatusCode.OK);

        contract.AssertCovered(AdminKeyOperations);
    }

    [Fact]
    public async Task Admin_customer_and_group_answers_fit_the_document()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var key = await api.CreateSecretKeyAsync();
        var email = CustomersApiFactory.NewEmail("openapi");

        var customer = (await Admin(contract, Post, "/admin/customers", key, new JsonObject { ["email"] = email, ["first_name"] = "Ann" }))
            .Expect(HttpStatusCode.OK).Object["customer"]!.Id();
        (await Admin(contract, Post, "/admin/customers", key, new JsonObject { ["has_account"] = true })).Expect(HttpStatusCode.BadRequest);
        var group = (await Admin(contract, Post, "/admin/customer-groups", key, new JsonObject { ["name"] = $"Docs {Guid.NewGuid():N}" }))
            .Expect(HttpStatusCode.OK).Object["customer_group"]!.Id();
        (await Admin(contract, Post, "/admin/customer-groups", key, new JsonObject())).Expect(HttpStatusCode.BadRequest);

        var address = (await Admin(contract, Post, $"/admin/customers/{customer}/addresses?fields=*addresses", key, new JsonObject { ["city"] = "Aarhus" }))
            .Expect(HttpStatusCode.OK).Object["customer"]!["addresses"]![0]!.Id();
        (await Admin(contract, Post, "/admin/customers/cus_missing/addresses", key, new JsonObject())).Expect(HttpStatusCode.NotFound);
        (await Admin(contract, Post, $"/admin/customers/{customer}/customer-groups?fields=*groups", key, new JsonObject { ["add"] = new JsonArray(group) }))
            .Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, "/admin/customers/cus_missing/customer-groups", key, new JsonObject())).Expect(HttpStatusCode.NotFound);
        (await Admin(contract, Post, $"/admin/customer-groups/{group}/customers?fields=*customers", key, new JsonObject { ["remove"] = new JsonArray() }))
            .Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, "/admin/customer-groups/cusgroup_missing/customers", key, new JsonObject())).Expect(HttpStatusCode.NotFound);

        (await Admin(contract, Get, $"/admin/customers?q={Uri.EscapeDataString(email)}&fields=*addresses,*groups,*orders", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, $"/admin/customers?groups[id]={group}&created_at[$lte]=2100-01-01&has_account=false", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, "/admin/customers?order=nope", key)).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Get, $"/admin/customers/{customer}?fields=*addresses,*groups", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, "/admin/customers/cus_missing", key)).Expect(HttpStatusCode.NotFound);
        (await Admin(contract, Post, $"/admin/customers/{customer}", key, new JsonObject { ["last_name"] = "Lee", ["metadata"] = new JsonObject { ["a"] = 1 } }))
            .Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, "/admin/customers/cus_missing", key, new JsonObject())).Expect(HttpStatusCode.NotFound);

        (await Admin(contract, Get, $"/admin/customers/{customer}/addresses?city=Aarhus", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, $"/admin/customers/{customer}/addresses?limit=abc", key)).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Get, $"/admin/customers/{customer}/addresses/{address}", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, $"/admin/customers/cus_missing/addresses/{address}", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, $"/admin/customers/{customer}/addresses/{address}", key, new JsonObject { ["city"] = "Oslo" })).Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, $"/admin/customers/cus_missing/addresses/{address}", key, new JsonObject())).Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, $"/admin/customers/{customer}/addresses/{address}", key, new JsonObject { ["city"] = 5 })).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Delete, $"/admin/customers/{customer}/addresses/{address}?foo=1", key)).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Delete, $"/admin/customers/{customer}/addresses/{address}", key)).Expect(HttpStatusCode.OK);

        (await Admin(contract, Get, $"/admin/customer-groups?q=Docs&fields=*customers&customers[id]={customer}", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, "/admin/customer-groups?order=nope", key)).Expect(HttpStatusCode.BadRequest);
        (await Admin(contract, Get, $"/admin/customer-groups/{group}?fields=*customers", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Get, "/admin/customer-groups/cusgroup_missing", key)).Expect(HttpStatusCode.NotFound);
        (await Admin(contract, Post, $"/admin/customer-groups/{group}", key, new JsonObject { ["metadata"] = new JsonObject { ["b"] = "c" } }))
            .Expect(HttpStatusCode.OK);
        (await Admin(contract, Post, "/admin/customer-groups/cusgroup_missing", key, new JsonObject())).Expect(HttpStatusCode.NotFound);

        (await Admin(contract, Delete, $"/admin/customer-groups/{group}", key)).Expect(HttpStatusCode.OK);
        (await Admin(contract, Delete, $"/admin/customers/{customer}", key)).Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Anonymous, Delete, $"/admin/customers/{customer}")).Expect(HttpStatusCode.Unauthorized);

        contract.AssertCovered(AdminCustomerOperations);
    }

    private Task<ApiResponse> Admin(OpenApiContract contract, HttpMethod method, string path, TestSecretKey key, JsonNode? body = null) =>
        contract.SendAsync(api.Anonymous, method, path, body, configure: AdminFixture.Basic(key.Token));
}

/// <summary>Redirect sign-ins (start and callback, by GET and POST) against the fake identity provider.</summary>
[Collection(OAuthCollection.Name)]
public sealed class OAuthAnswerTests(OAuthApiFactory api)
{
    public static readonly string[] Operations = ["AuthLoginGet", "AuthLoginPost", "AuthCallbackGet", "AuthCallbackPost"];

    [Fact]
    public async Task Redirect_sign_in_answers_fit_the_document()
    {
        var contract = await OpenApiContract.LoadAsync(api);

        var byGet = Location(await contract.SendAsync(api.Api, HttpMethod.Get, "/auth/customer/google"));
        var code = api.Idp.Authorize(byGet, FakeUser.New());
        (await contract.SendAsync(api.Api, HttpMethod.Get, $"/auth/customer/google/callback?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(OAuthApiFactory.StateOf(byGet))}"))
            .Expect(HttpStatusCode.OK);

        var byPost = Location(await contract.SendAsync(
            api.Api, HttpMethod.Post, "/auth/customer/google", new JsonObject { ["callback_url"] = OAuthApiFactory.GoogleCallbacks[1] }));
        var postedCode = api.Idp.Authorize(byPost, FakeUser.New());
        (await contract.SendAsync(
            api.Api, HttpMethod.Post, $"/auth/customer/google/callback?state={Uri.EscapeDataString(OAuthApiFactory.StateOf(byPost))}", new JsonObject { ["code"] = postedCode }))
            .Expect(HttpStatusCode.OK);

        (await contract.SendAsync(api.Api, HttpMethod.Get, "/auth/customer/google/callback")).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/customer/google/callback", new JsonObject())).Expect(HttpStatusCode.Unauthorized);
        contract.AssertCovered(Operations);
    }

    private static Uri Location(ApiResponse response) => new(response.Expect(HttpStatusCode.OK).Object["location"]!.GetValue<string>());
}

/// <summary>A host with a database of its own for <see cref="OpenApiAnswerTests"/>.</summary>
public sealed class OpenApiApiFactory : CustomersApiFactory
{
    protected override string DatabasePrefix => "openapi";
}

/// <summary>Second factors and login challenges, on the MFA host (its clock moves by whole TOTP periods).</summary>
[Collection(MfaCollection.Name)]
public sealed class MfaAnswerTests(MfaApiFactory api)
{
    public static readonly string[] Operations =
    [
        "AuthListMfaFactors", "AuthStartMfaEnrolment", "AuthConfirmMfaFactor", "AuthDisableMfaFactor", "AuthGenerateRecoveryCodes",
        "AuthVerifyMfaChallenge", "AuthLoginPost",
    ];

    [Fact]
    public async Task Second_factor_answers_fit_the_document()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var customer = await api.CreateCustomerAsync();
        var token = customer.Token;

        (await contract.SendAsync(api.Api, HttpMethod.Get, "/auth/mfa/factors")).Expect(HttpStatusCode.Unauthorized);
        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/mfa/factors", new JsonObject { ["provider"] = "sms" }, token))
            .Expect(HttpStatusCode.BadRequest);
        var started = (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/mfa/factors", new JsonObject { ["provider"] = "totp" }, token))
            .Expect(HttpStatusCode.OK).Object;
        var factorId = started["mfa_factor"]!["id"]!.GetValue<string>();
        var secret = started["secret"]!.GetValue<string>();
        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/mfa/factors/authmfa_missing/verify", new JsonObject { ["code"] = "123456" }, token))
            .Expect(HttpStatusCode.NotFound);
        (await contract.SendAsync(api.Api, HttpMethod.Post, $"/auth/mfa/factors/{factorId}/verify", new JsonObject { ["code"] = api.NextCode(secret) }, token))
            .Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, HttpMethod.Get, "/auth/mfa/factors", token: token)).Expect(HttpStatusCode.OK);

        var login = new JsonObject { ["email"] = customer.Email, ["password"] = customer.Password };
        var challenged = (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/customer/emailpass", login)).Expect(HttpStatusCode.OK).Object;
        var challengeId = challenged["mfa_challenge"]!["id"]!.GetValue<string>();
        var pending = challenged["token"]!.GetValue<string>();
        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/mfa/challenges/authmfachal_missing/verify",
            new JsonObject { ["method"] = "totp", ["code"] = "123456" }, pending)).Expect(HttpStatusCode.NotFound);
        var complete = (await contract.SendAsync(api.Api, HttpMethod.Post, $"/auth/mfa/challenges/{challengeId}/verify",
            new JsonObject { ["method"] = "totp", ["code"] = api.NextCode(secret) }, pending)).Expect(HttpStatusCode.OK).Token();

        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/mfa/recovery-codes", new JsonObject { ["count"] = 0 }, complete))
            .Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/mfa/recovery-codes", new JsonObject { ["count"] = 3 }, complete))
            .Expect(HttpStatusCode.OK);
        (await contract.SendAsync(api.Api, HttpMethod.Delete, "/auth/mfa/factors/authmfa_missing", new JsonObject(), complete))
            .Expect(HttpStatusCode.NotFound);
        (await contract.SendAsync(api.Api, HttpMethod.Delete, $"/auth/mfa/factors/{factorId}", new JsonObject(), complete))
            .Expect(HttpStatusCode.OK);

        contract.AssertCovered(Operations);
    }
}

/// <summary>E-mail verification, on the host that requires it for customers signing in with emailpass.</summary>
[Collection(VerificationCollection.Name)]
public sealed class VerificationAnswerTests(VerificationApiFactory api)
{
    public static readonly string[] Operations = ["AuthRequestVerification", "AuthConfirmVerification"];

    [Fact]
    public async Task Verification_answers_fit_the_document()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var email = CustomersApiFactory.NewEmail("openapi");
        var registration = (await api.Api.PostAsync("/auth/customer/emailpass/register", new { email, password = CustomersApiFactory.NewPassword() })).Token();

        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/verification/request", new JsonObject { ["entity_id"] = email }, registration))
            .Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Api, HttpMethod.Post, "/auth/verification/request",
            new JsonObject { ["entity_id"] = email, ["entity_type"] = "email" }, registration)).Expect(HttpStatusCode.Created);
        var code = await Db.ScalarAsync<string>(
            api.ConnectionString,
            "SELECT data ->> 'code' FROM dev_notification WHERE event_name = 'auth.verification_requested' AND data ->> 'entity_id' = $1 ORDER BY id DESC LIMIT 1",
            email);
        (await contract.SendAsync(api.Anonymous, HttpMethod.Post, "/auth/verification/confirm", new JsonObject { ["code"] = "wrong" }))
            .Expect(HttpStatusCode.BadRequest);
        (await contract.SendAsync(api.Anonymous, HttpMethod.Post, "/auth/verification/confirm", new JsonObject { ["code"] = code }))
            .Expect(HttpStatusCode.OK);

        contract.AssertCovered(Operations);
    }
}
