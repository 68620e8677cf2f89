namespace Customers.Host.Http;

/// <summary>Allowed browser origins per namespace (Medusa's storeCors, authCors, adminCors).</summary>
public sealed class CorsOriginsOptions
{
    public const string Section = "Customers:Cors";

    public string[] Store { get; set; } = [];
    public string[] Auth { get; set; } = [];
    public string[] Admin { get; set; } = [];
}
