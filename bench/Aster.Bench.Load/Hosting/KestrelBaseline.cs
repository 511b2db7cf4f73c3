using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Aster.Bench.Load.Mission;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aster.Bench.Load.Hosting;

/// <summary>
/// The same-run baseline of the end-to-end benchmarks (performance.md, section 3.1): Kestrel from the shared framework,
/// HTTP/2 only over TLS (a self-signed ECDSA P-256 certificate made at start-up), minimal-API endpoints with a
/// source-generated System.Text.Json context, logging cleared. Configured the idiomatic way, no special tuning.
/// </summary>
internal sealed class KestrelBaseline : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelBaseline(WebApplication app, Uri url, string thumbprint)
    {
        _app = app;
        Url = url;
        Thumbprint = thumbprint;
    }

    /// <summary>Gets the base address (https://127.0.0.1:port/).</summary>
    public Uri Url { get; }

    /// <summary>Gets the SHA-256 thumbprint of the server certificate, which the client pins.</summary>
    public string Thumbprint { get; }

    public static async Task<KestrelBaseline> StartAsync(CancellationToken cancellationToken)
    {
        X509Certificate2 certificate = CreateCertificate();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            // The same names as the client's context (snake_case, like the wire names).
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, MissionJsonContext.Default);
        });
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(certificate);
        }));
        WebApplication app = builder.Build();
        app.MapPost("/MissionControl/getStatus", static (StatusRequest request) => MissionPayloads.Answer(request));
        app.MapPost("/MissionControl/tailLogs", static (TailRequest request, CancellationToken cancellationToken) => MissionControlService.Tail(request.Count, cancellationToken));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelBaseline(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"), certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static X509Certificate2 CreateCertificate()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        // Re-import so the private key is usable by SslStream on Linux.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }
}
