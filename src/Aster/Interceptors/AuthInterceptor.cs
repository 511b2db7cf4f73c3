using System.Security.Cryptography;
using System.Text;
using Aster.Client;
using Aster.Server;

namespace Aster.Interceptors;

/// <summary>
/// Bearer-token authentication in call metadata (<c>authorization: Bearer &lt;token&gt;</c>, wire-protocol.md section 14).
/// On a client it adds the token to calls that have none; on a server it refuses calls without a valid token with
/// UNAUTHENTICATED. A fixed expected token is compared in constant time. Tokens are never logged.
/// </summary>
public sealed class AuthInterceptor : IServerInterceptor, IClientInterceptor
{
    private const string Scheme = "Bearer ";
    private readonly Func<string>? _tokenProvider;
    private readonly Func<string, bool>? _validator;
    private readonly string _metadataKey;

    private AuthInterceptor(Func<string>? tokenProvider, Func<string, bool>? validator, string metadataKey)
    {
        _tokenProvider = tokenProvider;
        _validator = validator;
        _metadataKey = metadataKey;
    }

    /// <summary>A client interceptor that sends <paramref name="token"/>.</summary>
    public static AuthInterceptor ForClient(Func<string> token, string metadataKey = "authorization")
        => new(token ?? throw new ArgumentNullException(nameof(token)), null, metadataKey);

    /// <summary>A server interceptor that accepts exactly <paramref name="expectedToken"/> (constant-time comparison).</summary>
    public static AuthInterceptor ForServer(string expectedToken, string metadataKey = "authorization")
    {
        ArgumentException.ThrowIfNullOrEmpty(expectedToken);
        byte[] expected = Encoding.UTF8.GetBytes(expectedToken);
        return new(null, token => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), expected), metadataKey);
    }

    /// <summary>A server interceptor that accepts the tokens <paramref name="validator"/> accepts.</summary>
    public static AuthInterceptor ForServer(Func<string, bool> validator, string metadataKey = "authorization")
        => new(null, validator ?? throw new ArgumentNullException(nameof(validator)), metadataKey);

    /// <inheritdoc/>
    public ValueTask InvokeAsync(CallContext context, Func<CallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (_validator is not null)
        {
            string raw = context.GetMetadata(_metadataKey) ?? string.Empty;
            string token = raw.StartsWith(Scheme, StringComparison.Ordinal) ? raw[Scheme.Length..] : raw;
            if (token.Length == 0 || !_validator(token))
            {
                throw new RpcException(StatusCode.Unauthenticated, "authentication failed");
            }
        }

        return continuation(context);
    }

    /// <inheritdoc/>
    public ValueTask InvokeAsync(ClientCallContext context, Func<ClientCallContext, ValueTask> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        if (_tokenProvider is not null && !context.Metadata.Exists(m => string.Equals(m.Key, _metadataKey, StringComparison.Ordinal)))
        {
            context.Metadata.Add(new(_metadataKey, Scheme + _tokenProvider()));
        }

        return continuation(context);
    }
}
