using System.Threading.RateLimiting;
using Customers.Host.Auth;
using Customers.Host.Database;
using Customers.Host.Http;
using Customers.Host.Http.Auth;
using Customers.Host.Http.Health;
using Customers.Host.Http.Store;
using Customers.Host.ReadModel;
using Customers.Host.Stores;
using Customers.Host.Telemetry;
using Customers.Medusa;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Customers.Host.Hosting;

internal static class HttpSetup
{

    public static WebApplicationBuilder AddCustomersHttp(this WebApplicationBuilder builder, CustomersDatabase database)
    {
        var services = builder.Services;
        services.AddOptions<JwtOptions>().BindConfiguration(JwtOptions.Section)
            .Validate(o => o.ClockSkew <= TimeSpan.FromSeconds(30), "Customers:Jwt:ClockSkew must be at most 30 seconds.")
            .Validate(o => o.ExpiresIn > TimeSpan.Zero, "Customers:Jwt:ExpiresIn must be positive.")
            .ValidateOnStart();
        services.AddOptions<SessionCookieOptions>().BindConfiguration(SessionCookieOptions.Section).ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<CorsOriginsOptions>().BindConfiguration(CorsOriginsOptions.Section);

        var jwt = builder.Configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        var signingKey = SigningKeySetup.Resolve(jwt, builder.Environment, database);
        services.AddSingleton(signingKey);
        services.AddOptions<StatementTimeoutOptions>().BindConfiguration(StatementTimeoutOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var timeouts = builder.Configuration.GetSection(StatementTimeoutOptions.Section).Get<StatementTimeoutOptions>() ?? new StatementTimeoutOptions();
        services.AddSingleton(StatementTimeoutOptions.CreateDataSource(database.ConnectionString, timeouts.Hot));
        services.AddSingleton(new ListDatabase(StatementTimeoutOptions.CreateDataSource(database.ConnectionString, timeouts.Lists)));
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<TokenRevocations>();
        services.AddSingleton<ValidatedTokenCache>();
        services.AddSingleton<TokenRevocationFeed>();
        services.AddHostedService(sp => sp.GetRequiredService<TokenRevocationFeed>());
        services.AddSingleton<SessionStore>();
        services.AddSingleton<SessionCookies>();
        services.AddSingleton<IdentityLookup>();
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<EmailPasswordFlow>();
        services.AddSingleton<ClientBudgets>();
        services.AddSingleton<FailedLoginLimiter>();
        services.AddSingleton<ProviderAllowList>();
        services.AddSingleton<SignInAnswer>();
        services.AddSingleton<VerificationCodeStore>();

        services.AddAuthentication().AddJwtBearer(options => BearerTokens.Configure(options, jwt, signingKey));
        services.AddRateLimiter(options =>
        {
            // The partition is only a local handle: the count itself is the cluster's (ClientBudgets).
            options.AddPolicy(RateLimitOptions.RegistrationPolicy, http => RateLimitPartition.Get(
                ClientAddress.Of(http),
                client => new ClientBudgetLimiter(
                    http.RequestServices.GetRequiredService<ClientBudgets>(), ClientBudget.Registrations, client, TimeProvider.System)));
            options.OnRejected = async (context, ct) =>
            {
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    RetryAfter.Set(context.HttpContext.Response, retryAfter);
                }

                context.HttpContext.RequestServices.GetRequiredService<CustomersMetrics>().LimitRefusal("registration");
                await TooManyRequests.ExecuteAsync(context.HttpContext);
            };
        });

        var cors = builder.Configuration.GetSection(CorsOriginsOptions.Section).Get<CorsOriginsOptions>() ?? new CorsOriginsOptions();
        services.AddCors(options =>
        {
            AddCorsPolicy(options, "store", cors.Store);
            AddCorsPolicy(options, "auth", cors.Auth);
            AddCorsPolicy(options, "admin", cors.Admin);
        });

        services.AddExceptionHandler<MedusaExceptionHandler>();
        services.AddProblemDetails();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadinessChecks.Tag])
            .AddCheck<ClusterHealthCheck>("cluster", tags: [ReadinessChecks.Tag]);
        services.AddCustomersOpenApi();
        services.ConfigureHttpJsonOptions(options => MedusaJson.Configure(options.SerializerOptions));
        services.AddOptions<BodyLimitOptions>().BindConfiguration(BodyLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<BodyLimitOptions>>(
            (kestrel, body) => kestrel.Limits.MaxRequestBodySize = body.Value.MaxBodyBytes);
        builder.AddCustomersAuthProviders();
        builder.AddCustomersPasswordReset(database);
        builder.AddCustomersAdmin();
        builder.AddCustomersEvents();
        return builder;
    }

    public static WebApplication MapCustomersHttp(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseCors();
        app.UseMiddleware<PublishableKeyGate>();
        app.UseCustomersAdminGate();
        app.UseRateLimiter();

        app.MapCustomersRoutes(DashboardSetup.IsEnabled(app.Configuration));
        return app;
    }

    private static readonly MedusaErrorResult TooManyRequests =
        new MedusaError(StatusCodes.Status429TooManyRequests, "not_allowed", "Too many requests. Please try again later.").ToResult();

    private static void AddCorsPolicy(Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions options, string name, string[] origins) =>
        options.AddPolicy(name, policy =>
        {
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins).AllowCredentials().AllowAnyHeader()
                    .WithMethods("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE");
            }
        });
}
