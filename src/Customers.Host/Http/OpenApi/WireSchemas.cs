using System.Text.Json.Nodes;
using static Customers.Medusa.JsonSchemas;

namespace Customers.Host.Http.OpenApi;

/// <summary>
/// The answers' shapes as component schemas of the OpenAPI document. Each entity lists every key its wire builder can
/// write (<see cref="Customers.CustomerWire"/>, <see cref="Admin.CustomerGroups.CustomerGroupWire"/>,
/// <see cref="Admin.ApiKeys.ApiKeyWire"/>, <see cref="Admin.Users.AdminUserRoutes"/>); <c>fields</c> chooses which keys
/// an answer holds, so only <c>id</c> is required.
/// </summary>
internal static class WireSchemas
{
    public const string Customer = "Customer";
    public const string Address = "CustomerAddress";
    public const string Group = "CustomerGroup";
    public const string ApiKey = "ApiKey";
    public const string CreatedApiKey = "CreatedApiKey";
    public const string User = "User";
    public const string AuthProvider = "AuthProvider";
    public const string TokenClaims = "TokenClaims";
    public const string MfaFactor = "MfaFactor";
    public const string MfaChallenge = "MfaChallenge";
    public const string Verification = "Verification";

    /// <summary>Every component, by name.</summary>
    public static IEnumerable<(string Name, JsonObject Schema)> Components() =>
    [
        (ErrorComponent, Error()),
        (Customer, Entity(
            ("id", Text()), ("email", NullableText()), ("company_name", NullableText()), ("first_name", NullableText()), ("last_name", NullableText()),
            ("phone", NullableText()), ("metadata", Record()), ("has_account", Flag()), ("created_by", NullableText()),
            ("deleted_at", Timestamp(nullable: true)), ("created_at", Timestamp()), ("updated_at", Timestamp()),
            ("addresses", ArrayOf(Ref(Address))),
            ("orders", Describe(ArrayOf(new JsonObject()), "Orders live outside this service: always empty.")),
            ("groups", ArrayOf(Ref(Group))))),
        (Address, Entity(
            ("id", Text()), ("address_name", NullableText()), ("is_default_shipping", Flag()), ("is_default_billing", Flag()),
            ("company", NullableText()), ("first_name", NullableText()), ("last_name", NullableText()), ("address_1", NullableText()), ("address_2", NullableText()),
            ("city", NullableText()), ("country_code", NullableText()), ("province", NullableText()), ("postal_code", NullableText()), ("phone", NullableText()),
            ("metadata", Record()), ("customer_id", Text()), ("created_at", Timestamp()), ("updated_at", Timestamp()),
            ("deleted_at", Timestamp(nullable: true)))),
        (Group, Entity(
            ("id", Text()), ("name", Text()), ("metadata", Record()), ("created_by", NullableText()), ("created_at", Timestamp()),
            ("updated_at", Timestamp()), ("deleted_at", Timestamp(nullable: true)), ("customers", ArrayOf(Ref(Customer))))),
        (ApiKey, Entity(KeyColumns(
            ("sales_channels", Describe(ArrayOf(Shape([], ("id", Text()), ("name", Text()))), "Sales channels live outside this service: always empty."))))),
        (CreatedApiKey, Describe(
            Shape(KeyColumns().Select(column => column.Name), KeyColumns()),
            "The new key as stored; the token is in plain text, for a secret key the only time it is shown.")),
        (User, Entity(
            ("id", Text()), ("email", Text()), ("first_name", NullableText()), ("last_name", NullableText()), ("avatar_url", NullableText()),
            ("metadata", Record()), ("created_at", Timestamp()), ("updated_at", Timestamp()), ("deleted_at", Timestamp(nullable: true)))),
        (AuthProvider, Shape(
            ["id", "identifier", "display_name", "flow"],
            ("id", Text()), ("identifier", Text()), ("display_name", Text()), ("flow", OneOfValues("credentials", "redirect")))),
        (TokenClaims, Describe(
            Shape(
                ["actor_id", "actor_type", "auth_identity_id"],
                ("actor_id", Text()), ("actor_type", Text()), ("auth_identity_id", Text()), ("auth_provider", Text()),
                ("mfa_enabled", Flag()), ("mfa_challenge_completed_at", new JsonObject { ["type"] = "null" }),
                ("app_metadata", Record()), ("user_metadata", Record()), ("iss", Text()), ("aud", Text()),
                ("iat", Integer()), ("exp", Integer())),
            "The claims of the token the session was made from.")),
        (MfaFactor, Shape(
            ["id", "auth_identity_id", "provider", "status"],
            ("id", Text()), ("auth_identity_id", Text()), ("auth_identity", Shape(["id"], ("id", Text()))), ("provider", Text()),
            ("status", OneOfValues("pending", "enabled", "disabled")), ("metadata", Record()), ("created_at", Timestamp()),
            ("updated_at", Timestamp()), ("deleted_at", Timestamp(nullable: true)))),
        (MfaChallenge, Shape(
            ["id", "auth_identity_id", "methods", "expires_at"],
            ("id", Text()), ("auth_identity_id", Text()), ("auth_provider", NullableText()), ("methods", ArrayOf(Text())),
            ("expires_at", Timestamp()), ("attempts", Integer()), ("max_attempts", Integer()),
            ("completed_at", Timestamp(nullable: true)), ("metadata", new JsonObject { ["type"] = "null" }))),
        (Verification, Shape(
            ["id", "entity_id", "entity_type"],
            ("id", Text()), ("auth_identity_id", Text()), ("entity_id", Text()), ("entity_type", Text()), ("code_provider", Text()),
            ("verified_at", Timestamp(nullable: true)), ("requested_at", Timestamp(nullable: true)), ("metadata", Record()),
            ("created_at", Timestamp()), ("updated_at", Timestamp()), ("deleted_at", Timestamp(nullable: true)))),
    ];

    /// <summary><c>{"&lt;key&gt;": &lt;component&gt;}</c>; with <paramref name="required"/> false the answer may be <c>{}</c>.</summary>
    public static JsonObject One(string key, string component, bool required = true) => Wrapped(key, Ref(component), required);

    /// <summary>A page of a list of <paramref name="component"/>.</summary>
    public static JsonObject Page(string key, string component) => List(key, Ref(component));

    public static JsonObject Token() => Shape(["token"], ("token", Text()));

    /// <summary>Where a redirect provider sends the browser.</summary>
    public static JsonObject Location() => Shape(["location"], ("location", Describe(Text(), "The provider's authorization URL.")));

    public static JsonObject Success() => Shape(["success"], ("success", Const(true)));

    /// <summary>What a completed first sign-in step answers: a token, or a token with an MFA challenge to answer, or a
    /// token with the e-mail verification still to do (<c>anyOf</c>: the token-only shape admits the others too).</summary>
    public static JsonObject SignIn() => new() { ["anyOf"] = new JsonArray(Token(), MfaRequired(), VerificationRequired()) };

    /// <summary>What login answers: <see cref="SignIn"/>, or for a redirect provider its location.</summary>
    public static JsonObject TokenOrLocation() =>
        new() { ["anyOf"] = new JsonArray(Token(), MfaRequired(), VerificationRequired(), Location()) };

    private static JsonObject MfaRequired() => Shape(
        ["mfa_required", "mfa_challenge", "token"],
        ("mfa_required", Const(true)), ("mfa_challenge", Ref(MfaChallenge)), ("token", Text()));

    private static JsonObject VerificationRequired() => Shape(
        ["verification_required", "token"],
        ("verification_required", Const(true)), ("verification", Ref(Verification)), ("token", Text()));

    private static JsonObject NullableText() => Text(nullable: true);

    private static JsonObject OneOfValues(params string[] values) =>
        new() { ["type"] = "string", ["enum"] = new JsonArray([.. values.Select(value => JsonValue.Create(value))]) };

    private static (string Name, JsonObject Schema)[] KeyColumns(params (string Name, JsonObject Schema)[] more) =>
    [
        ("id", Text()), ("title", Text()), ("token", Text()), ("redacted", Text()), ("type", OneOfValues("publishable", "secret")),
        ("last_used_at", Timestamp(nullable: true)), ("updated_at", Timestamp()), ("created_at", Timestamp()),
        ("created_by", Text()), ("revoked_at", Timestamp(nullable: true)), ("revoked_by", NullableText()),
        ("deleted_at", Timestamp(nullable: true)), .. more,
    ];

    private static JsonObject Entity(params (string Name, JsonObject Schema)[] properties) => Describe(
        Shape(["id"], properties),
        "The query parameter fields chooses which keys are sent (only id always is).");

    private static JsonObject Describe(JsonObject schema, string description)
    {
        schema["description"] = description;
        return schema;
    }
}
