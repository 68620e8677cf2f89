namespace Customers.Host.Hosting;

/// <summary>
/// The host reads <c>appsettings.json</c> from its own directory, not from wherever it was started: a service
/// started as <c>dotnet /opt/customers/Customers.Host.dll</c> from another directory would otherwise run without its
/// settings file (and with every framework category logging at Information). Environment variables and arguments
/// still override the file.
/// </summary>
internal static class ContentRoot
{
    public static string Path => AppContext.BaseDirectory;

    public static HostApplicationBuilder CommandBuilder(string[] args) =>
        Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = Path });

    public static WebApplicationBuilder ServerBuilder(string[] args) =>
        WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = Path });
}
