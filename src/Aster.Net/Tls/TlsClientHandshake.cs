using System.Text;

namespace Aster.Net.Tls;

/// <summary>
/// The dialing side (transport.md 4.2–4.4, 4.6): sends the ClientHello, answers at most one HelloRetryRequest,
/// checks the server's raw public key against the dialled EndpointId, and authenticates itself when asked.
/// </summary>
internal sealed class TlsClientHandshake : TlsHandshake
{
    private ClientHello? _hello;
    private TlsKeyExchange? _exchange;
    private State _state = State.NotStarted;
    private bool _retried;
    private ushort? _retrySuite;
    private byte[] _requestContext = [];
    private bool _certificateRequested;
    private EncryptedExtensions? _extensions;
    private byte[]? _serverKey;
    private byte[]? _clientApplicationSecret;
    private byte[]? _serverApplicationSecret;

    /// <summary>Creates a client handshake.</summary>
    public TlsClientHandshake(TlsHandshakeOptions options)
        : base(options)
    {
    }

    private enum State
    {
        NotStarted,
        WaitServerHello,
        WaitEncryptedExtensions,
        WaitCertificateOrRequest,
        WaitCertificate,
        WaitCertificateVerify,
        WaitFinished,
        Complete,
    }

    /// <inheritdoc />
    protected override void OnStart()
    {
        if (_state != State.NotStarted)
        {
            throw new InvalidOperationException("The handshake was already started.");
        }

        byte[] random = new byte[TlsConstants.RandomLength];
        TlsKeyExchange.Fill(Options.Random, random);
        _exchange = TlsKeyExchange.Create(Options.Groups[0], Options.Random);
        bool certificateTypes = (Options.TestHooks & TlsTestHooks.OmitCertificateTypeExtensions) == 0;
        _hello = new ClientHello
        {
            Random = random,
            CipherSuites = Options.CipherSuites.Select(s => (ushort)s).ToList(),
            ServerName = Options.ServerName is null ? RawPublicKey.ServerName(Options.ExpectedServerKey.Span)
                : Options.ServerName.Length == 0 ? null
                : Options.ServerName,
            SupportedGroups = Options.Groups.Select(g => (ushort)g).ToList(),
            SignatureAlgorithms = [TlsConstants.Ed25519Scheme],
            Alpns = Options.Alpns.Select(Encoding.UTF8.GetBytes).ToList(),
            ClientCertificateTypes = certificateTypes ? [TlsConstants.RawPublicKeyCertificateType] : null,
            ServerCertificateTypes = certificateTypes ? [TlsConstants.RawPublicKeyCertificateType] : null,
            SupportedVersions = [TlsConstants.Tls13],
            KeyShares = [new KeyShareEntry((ushort)_exchange.Group, _exchange.PublicKey)],
            TransportParameters = Options.TransportParameters.ToArray(),
        };
        Send(EncryptionLevel.Initial, _hello.Encode());
        _state = State.WaitServerHello;
    }

    /// <inheritdoc />
    protected override void OnMessage(EncryptionLevel level, byte type, byte[] message)
    {
        switch (_state)
        {
            case State.WaitServerHello when type == TlsHandshakeType.ServerHello:
                OnServerHello(message);
                break;
            case State.WaitEncryptedExtensions when type == TlsHandshakeType.EncryptedExtensions:
                OnEncryptedExtensions(message);
                break;
            case State.WaitCertificateOrRequest when type == TlsHandshakeType.CertificateRequest:
                OnCertificateRequest(message);
                break;
            case State.WaitCertificateOrRequest or State.WaitCertificate when type == TlsHandshakeType.Certificate:
                _serverKey = ParsePeerCertificate(message, [], TlsAlert.DecodeError);
                if (!_serverKey.AsSpan().SequenceEqual(Options.ExpectedServerKey.Span))
                {
                    throw new TlsAlertException(TlsAlert.BadCertificate, "The server's key is not the EndpointId that was dialled.");
                }

                Transcript.Add(message);
                _state = State.WaitCertificateVerify;
                break;
            case State.WaitCertificateVerify when type == TlsHandshakeType.CertificateVerify:
                VerifyCertificateVerify(message, _serverKey!, server: true);
                Transcript.Add(message);
                _state = State.WaitFinished;
                break;
            case State.WaitFinished when type == TlsHandshakeType.Finished:
                OnFinished(message);
                break;
            case State.Complete when type == TlsHandshakeType.NewSessionTicket:
                // Never solicited (no psk_key_exchange_modes); parsed for framing only and discarded (transport.md 4.8).
                break;
            default:
                throw Unexpected(type);
        }
    }

    /// <inheritdoc />
    protected override void OnFailed()
    {
        _exchange?.Dispose();
        _exchange = null;
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        _exchange?.Dispose();
        base.Dispose(disposing);
    }

    private void OnServerHello(byte[] message)
    {
        ServerHello hello = ServerHello.Decode(message.AsSpan(4));
        if (hello.SelectedVersion is null || hello.LegacyVersion != TlsConstants.LegacyVersion)
        {
            throw new TlsAlertException(TlsAlert.ProtocolVersion, "The server did not select TLS 1.3.");
        }

        if (hello.SelectedVersion != TlsConstants.Tls13)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "The server selected a version we did not offer.");
        }

        if (hello.SessionIdEcho.Length != 0 || hello.CompressionMethod != 0)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "The server echoed a session id or chose compression.");
        }

        if (!_hello!.CipherSuites.Contains(hello.CipherSuite) || (_retrySuite is ushort suite && suite != hello.CipherSuite))
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "The server selected a cipher suite we did not offer.");
        }

        CipherSuite = (TlsCipherSuite)hello.CipherSuite;
        Hash = TlsKeySchedule.HashOf(CipherSuite);
        Transcript.SetHash(Hash);

        if (hello.IsHelloRetryRequest)
        {
            OnHelloRetryRequest(hello, message);
            return;
        }

        if (hello.KeyShare is not KeyShareEntry share)
        {
            throw new TlsAlertException(TlsAlert.MissingExtension, "The ServerHello has no key share.");
        }

        if (share.Group != (ushort)_exchange!.Group)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "The server's key share is for a group we sent no share for.");
        }

        Transcript.Add(message);
        byte[] shared = _exchange.Agree(share.Key);
        _exchange.Dispose();
        _exchange = null;
        DeriveHandshakeSecrets(shared);
        EmitKeys(EncryptionLevel.Handshake, ServerHandshakeSecret!.ToArray(), ClientHandshakeSecret!.ToArray());
        ExpectedLevel = EncryptionLevel.Handshake;
        _state = State.WaitEncryptedExtensions;
    }

    private void OnHelloRetryRequest(ServerHello retry, byte[] message)
    {
        if (_retried)
        {
            throw new TlsAlertException(TlsAlert.UnexpectedMessage, "A second HelloRetryRequest.");
        }

        _retried = true;
        _retrySuite = retry.CipherSuite;
        if (retry.SelectedGroup is null && retry.Cookie is null)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "A HelloRetryRequest that changes nothing.");
        }

        if (retry.SelectedGroup is ushort group)
        {
            if (!_hello!.SupportedGroups!.Contains(group) || group == (ushort)_exchange!.Group)
            {
                throw new TlsAlertException(TlsAlert.IllegalParameter, "The HelloRetryRequest asks for an unusable group.");
            }

            _exchange.Dispose();
            _exchange = TlsKeyExchange.Create((TlsNamedGroup)group, Options.Random);
            _hello.KeyShares = [new KeyShareEntry(group, _exchange.PublicKey)];
        }

        Transcript.ReplaceWithMessageHash();
        Transcript.Add(message);
        TlsLog.HelloRetryRequest(Logger, Role, retry.SelectedGroup ?? 0);
        _hello!.Cookie = retry.Cookie;
        Send(EncryptionLevel.Initial, _hello.Encode());
    }

    private void OnEncryptedExtensions(byte[] message)
    {
        EncryptedExtensions extensions = EncryptedExtensions.Decode(message.AsSpan(4), _hello!.ServerName is not null);
        if (extensions.Alpn is null)
        {
            throw new TlsAlertException(TlsAlert.NoApplicationProtocol, "The server selected no ALPN protocol.");
        }

        if (!_hello.Alpns!.Any(a => a.AsSpan().SequenceEqual(extensions.Alpn)))
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "The server selected an ALPN protocol we did not offer.");
        }

        RequireRawPublicKey(extensions.ServerCertificateType, "server");
        if (extensions.TransportParameters is null)
        {
            throw new TlsAlertException(TlsAlert.MissingExtension, "The server sent no QUIC transport parameters.");
        }

        Transcript.Add(message);
        _extensions = extensions;
        NegotiatedAlpn = Encoding.UTF8.GetString(extensions.Alpn);
        PeerTransportParameters = extensions.TransportParameters;
        _state = State.WaitCertificateOrRequest;
    }

    private void OnCertificateRequest(byte[] message)
    {
        CertificateRequest request = CertificateRequest.Decode(message.AsSpan(4));
        if (request.Context.Length != 0)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "A CertificateRequest context during the handshake.");
        }

        if (request.SignatureAlgorithms is null)
        {
            throw new TlsAlertException(TlsAlert.MissingExtension, "The CertificateRequest has no signature_algorithms.");
        }

        if (!request.SignatureAlgorithms.Contains(TlsConstants.Ed25519Scheme))
        {
            throw new TlsAlertException(TlsAlert.HandshakeFailure, "The server does not accept ed25519 signatures.");
        }

        RequireRawPublicKey(_extensions!.ClientCertificateType, "client");
        Transcript.Add(message);
        _requestContext = request.Context;
        _certificateRequested = true;
        _state = State.WaitCertificate;
    }

    private void OnFinished(byte[] message)
    {
        VerifyFinished(ServerHandshakeSecret!, message);
        Transcript.Add(message);
        (_clientApplicationSecret, _serverApplicationSecret) = DeriveApplicationSecrets();

        if (_certificateRequested)
        {
            bool omit = (Options.TestHooks & TlsTestHooks.OmitClientCertificate) != 0;
            Send(EncryptionLevel.Handshake, BuildCertificate(_requestContext, omit));
            if (!omit)
            {
                Send(EncryptionLevel.Handshake, BuildCertificateVerify(server: false));
            }
        }

        Send(EncryptionLevel.Handshake, BuildFinished(ClientHandshakeSecret!));
        EmitKeys(EncryptionLevel.Application, _serverApplicationSecret, _clientApplicationSecret);
        _clientApplicationSecret = null;
        _serverApplicationSecret = null;
        _state = State.Complete;
        Complete(_serverKey!);
    }

    private static void RequireRawPublicKey(byte? type, string side)
    {
        if (type is null)
        {
            throw new TlsAlertException(TlsAlert.HandshakeFailure, "The server did not agree to raw public keys for the " + side + " certificate.");
        }

        if (type != TlsConstants.RawPublicKeyCertificateType)
        {
            throw new TlsAlertException(TlsAlert.UnsupportedCertificate, "The server selected a " + side + " certificate type other than RawPublicKey.");
        }
    }
}
