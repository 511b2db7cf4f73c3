using System.Text;

namespace Aster.Net.Tls;

/// <summary>
/// The accepting side (transport.md 4.5, 4.7): selects suite, group and ALPN, sends a HelloRetryRequest when the
/// client has no usable key share, always requests the client's certificate, and hands out the 1-RTT secrets only
/// once the client's Finished has been verified.
/// </summary>
internal sealed class TlsServerHandshake : TlsHandshake
{
    private State _state = State.WaitClientHello;
    private ushort _retryGroup;
    private byte[]? _clientKey;
    private byte[]? _clientApplicationSecret;
    private byte[]? _serverApplicationSecret;

    /// <summary>Creates a server handshake.</summary>
    public TlsServerHandshake(TlsHandshakeOptions options)
        : base(options)
    {
    }

    private enum State
    {
        WaitClientHello,
        WaitSecondClientHello,
        WaitCertificate,
        WaitCertificateVerify,
        WaitFinished,
        Complete,
    }

    /// <inheritdoc />
    protected override void OnStart()
    {
        // A server waits for the ClientHello.
    }

    /// <inheritdoc />
    protected override void OnMessage(EncryptionLevel level, byte type, byte[] message)
    {
        switch (_state)
        {
            case State.WaitClientHello when type == TlsHandshakeType.ClientHello:
                OnClientHello(message, retry: false);
                break;
            case State.WaitSecondClientHello when type == TlsHandshakeType.ClientHello:
                OnClientHello(message, retry: true);
                break;
            case State.WaitCertificate when type == TlsHandshakeType.Certificate:
                _clientKey = ParsePeerCertificate(message, [], TlsAlert.CertificateRequired);
                Transcript.Add(message);
                _state = State.WaitCertificateVerify;
                break;
            case State.WaitCertificateVerify when type == TlsHandshakeType.CertificateVerify:
                VerifyCertificateVerify(message, _clientKey!, server: false);
                if (Options.ClientKeyValidator is { } validator && !validator(_clientKey.AsMemory()))
                {
                    throw new TlsAlertException(TlsAlert.AccessDenied, "The client's key is not allowed.");
                }

                Transcript.Add(message);
                _state = State.WaitFinished;
                break;
            case State.WaitFinished when type == TlsHandshakeType.Finished:
                VerifyFinished(ClientHandshakeSecret!, message);
                Transcript.Add(message);
                EmitKeys(EncryptionLevel.Application, _clientApplicationSecret!, _serverApplicationSecret!);
                _clientApplicationSecret = null;
                _serverApplicationSecret = null;
                _state = State.Complete;
                Complete(_clientKey!);
                break;
            default:
                throw Unexpected(type);
        }
    }

    /// <inheritdoc />
    protected override void OnFailed()
    {
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_clientApplicationSecret);
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(_serverApplicationSecret);
        _clientApplicationSecret = null;
        _serverApplicationSecret = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        OnFailed();
        base.Dispose(disposing);
    }

    private void OnClientHello(byte[] message, bool retry)
    {
        ClientHello hello = ClientHello.Decode(message.AsSpan(4));
        if (hello.SupportedVersions is null || !hello.SupportedVersions.Contains(TlsConstants.Tls13))
        {
            throw new TlsAlertException(TlsAlert.ProtocolVersion, "The client does not offer TLS 1.3.");
        }

        if (hello.SessionId.Length != 0)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "A non-empty legacy_session_id (middlebox compatibility mode) in QUIC.")
            {
                TransportErrorCode = TlsConstants.QuicProtocolViolation,
            };
        }

        if (hello.CompressionMethods.Length != 1 || hello.CompressionMethods[0] != 0)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "TLS 1.3 allows only the null compression method.");
        }

        TlsCipherSuite suite = Options.CipherSuites.FirstOrDefault(s => hello.CipherSuites.Contains((ushort)s));
        if (suite == TlsCipherSuite.None)
        {
            throw new TlsAlertException(TlsAlert.HandshakeFailure, "No cipher suite in common.");
        }

        if (retry && suite != CipherSuite)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "The second ClientHello changed the cipher suite.");
        }

        if (hello.TransportParameters is null)
        {
            throw new TlsAlertException(TlsAlert.MissingExtension, "The client sent no QUIC transport parameters.");
        }

        CheckCertificateTypes(hello.ClientCertificateTypes);
        CheckCertificateTypes(hello.ServerCertificateTypes);
        if (hello.SignatureAlgorithms is null || !hello.SignatureAlgorithms.Contains(TlsConstants.Ed25519Scheme))
        {
            throw new TlsAlertException(TlsAlert.HandshakeFailure, "The client does not offer ed25519 signatures.");
        }

        string? alpn = hello.Alpns is null
            ? null
            : Options.Alpns.FirstOrDefault(ours => hello.Alpns.Any(theirs => theirs.AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(ours))));
        if (alpn is null)
        {
            throw new TlsAlertException(TlsAlert.NoApplicationProtocol, "No ALPN protocol in common.");
        }

        if (hello.SupportedGroups is null || hello.KeyShares is null)
        {
            throw new TlsAlertException(TlsAlert.MissingExtension, "The client sent no supported_groups or key_share.");
        }

        if (hello.KeyShares.Any(share => !hello.SupportedGroups.Contains(share.Group)))
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "A key share for a group the client does not list.");
        }

        CipherSuite = suite;
        Hash = TlsKeySchedule.HashOf(suite);
        Transcript.SetHash(Hash);

        KeyShareEntry? chosen = null;
        if (retry)
        {
            chosen = hello.KeyShares.Find(share => share.Group == _retryGroup);
            if (chosen.Value.Key is null)
            {
                throw new TlsAlertException(TlsAlert.IllegalParameter, "The second ClientHello has no share for the requested group.");
            }
        }
        else
        {
            foreach (TlsNamedGroup group in Options.Groups)
            {
                int index = hello.KeyShares.FindIndex(share => share.Group == (ushort)group);
                if (index >= 0)
                {
                    chosen = hello.KeyShares[index];
                    break;
                }
            }
        }

        if (chosen is null)
        {
            SendHelloRetryRequest(hello, message);
            return;
        }

        Transcript.Add(message);
        KeyShareEntry share = chosen.Value;
        byte[] shared;
        byte[] ourShare;
        using (TlsKeyExchange exchange = TlsKeyExchange.Create((TlsNamedGroup)share.Group, Options.Random))
        {
            shared = exchange.Agree(share.Key);
            ourShare = exchange.PublicKey.ToArray();
        }

        byte[] random = new byte[TlsConstants.RandomLength];
        TlsKeyExchange.Fill(Options.Random, random);
        var serverHello = new ServerHello
        {
            Random = random,
            SessionIdEcho = hello.SessionId,
            CipherSuite = (ushort)suite,
            SelectedVersion = TlsConstants.Tls13,
            KeyShare = new KeyShareEntry(share.Group, ourShare),
        };
        Send(EncryptionLevel.Initial, serverHello.Encode());
        DeriveHandshakeSecrets(shared);
        EmitKeys(EncryptionLevel.Handshake, ClientHandshakeSecret!.ToArray(), ServerHandshakeSecret!.ToArray());

        var extensions = new EncryptedExtensions
        {
            Alpn = Encoding.UTF8.GetBytes(alpn),
            ClientCertificateType = TlsConstants.RawPublicKeyCertificateType,
            ServerCertificateType = TlsConstants.RawPublicKeyCertificateType,
            TransportParameters = Options.TransportParameters.ToArray(),
            ExtraExtension = (Options.TestHooks & TlsTestHooks.UnsolicitedEncryptedExtension) != 0 ? TlsExtensionType.EarlyData : null,
        };
        Send(EncryptionLevel.Handshake, extensions.Encode());
        Send(EncryptionLevel.Handshake, new CertificateRequest { SignatureAlgorithms = [TlsConstants.Ed25519Scheme] }.Encode());
        Send(EncryptionLevel.Handshake, BuildCertificate([], empty: false));
        Send(EncryptionLevel.Handshake, BuildCertificateVerify(server: true));
        Send(EncryptionLevel.Handshake, BuildFinished(ServerHandshakeSecret!));
        (_clientApplicationSecret, _serverApplicationSecret) = DeriveApplicationSecrets();

        NegotiatedAlpn = alpn;
        PeerTransportParameters = hello.TransportParameters;
        ExpectedLevel = EncryptionLevel.Handshake;
        _state = State.WaitCertificate;
    }

    private void SendHelloRetryRequest(ClientHello hello, byte[] message)
    {
        TlsNamedGroup group = Options.Groups.FirstOrDefault(g => hello.SupportedGroups!.Contains((ushort)g));
        if (group == default)
        {
            throw new TlsAlertException(TlsAlert.HandshakeFailure, "No key-exchange group in common.");
        }

        Transcript.Add(message);
        Transcript.ReplaceWithMessageHash();
        var retry = new ServerHello
        {
            Random = TlsConstants.HelloRetryRequestRandom.ToArray(),
            SessionIdEcho = hello.SessionId,
            CipherSuite = (ushort)CipherSuite,
            SelectedVersion = TlsConstants.Tls13,
            SelectedGroup = (ushort)group,
        };
        Send(EncryptionLevel.Initial, retry.Encode());
        _retryGroup = (ushort)group;
        TlsLog.HelloRetryRequest(Logger, Role, _retryGroup);
        _state = State.WaitSecondClientHello;
    }

    private static void CheckCertificateTypes(byte[]? types)
    {
        if (types is null)
        {
            throw new TlsAlertException(TlsAlert.HandshakeFailure, "The client did not offer raw public keys (certificate-type extension missing).");
        }

        if (Array.IndexOf(types, TlsConstants.RawPublicKeyCertificateType) < 0)
        {
            throw new TlsAlertException(TlsAlert.UnsupportedCertificate, "The client's certificate types do not include RawPublicKey.");
        }
    }
}
