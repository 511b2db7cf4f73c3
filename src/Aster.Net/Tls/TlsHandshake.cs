using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aster.Net.Tls;

/// <summary>
/// The parts of a TLS 1.3 handshake over QUIC that both roles share: per-level reassembly of handshake messages,
/// the output and key queues, the transcript, and failure latching (after an alert every call throws it again).
/// </summary>
internal abstract class TlsHandshake : IQuicTlsHandshake, IDisposable
{
    private readonly MessageBuffer[] _input = [new(), new(), new(), new()];
    private readonly List<(EncryptionLevel Level, TlsWriter Bytes)> _output = [];
    private readonly Queue<TlsTrafficKeys> _keys = new();
    private TlsAlertException? _failure;

    /// <summary>Creates the state shared by both roles after validating <paramref name="options"/>.</summary>
    protected TlsHandshake(TlsHandshakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Logger = options.Logger ?? NullLogger.Instance;
        Seed = options.Seed.ToArray();
        OurPublicKey = !options.PublicKey.IsEmpty ? options.PublicKey.ToArray()
            : options.SigningKey is not null ? options.SigningKey.PublicKey.ToArray()
            : RawPublicKey.PublicKeyOf(Seed);
    }

    /// <inheritdoc />
    public bool IsHandshakeComplete { get; protected set; }

    /// <inheritdoc />
    public string? NegotiatedAlpn { get; protected set; }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> PeerPublicKey { get; protected set; }

    /// <inheritdoc />
    public ReadOnlyMemory<byte> PeerTransportParameters { get; protected set; }

    /// <inheritdoc />
    public TlsCipherSuite CipherSuite { get; protected set; }

    /// <summary>The options this handshake runs with.</summary>
    protected TlsHandshakeOptions Options { get; }

    /// <summary>The logger (never null).</summary>
    protected ILogger Logger { get; }

    /// <summary>Our Ed25519 seed, zeroed once our CertificateVerify is signed, on failure and on dispose; empty when the options carry a signing key.</summary>
    protected byte[] Seed { get; }

    /// <summary>Our Ed25519 public key.</summary>
    protected byte[] OurPublicKey { get; }

    /// <summary>The transcript of handshake messages.</summary>
    protected TlsTranscript Transcript { get; } = new();

    /// <summary>The negotiated suite's hash.</summary>
    protected HashAlgorithmName Hash { get; set; } = HashAlgorithmName.SHA256;

    /// <summary>The level the next handshake message must arrive at.</summary>
    protected EncryptionLevel ExpectedLevel { get; set; } = EncryptionLevel.Initial;

    /// <summary>The handshake secret (zeroed once the master secret exists).</summary>
    protected byte[]? HandshakeSecret { get; set; }

    /// <summary>client_handshake_traffic_secret.</summary>
    protected byte[]? ClientHandshakeSecret { get; set; }

    /// <summary>server_handshake_traffic_secret.</summary>
    protected byte[]? ServerHandshakeSecret { get; set; }

    /// <summary>Creates the handshake for the role in <paramref name="options"/>.</summary>
    public static TlsHandshake Create(TlsHandshakeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IsClient ? new TlsClientHandshake(options) : new TlsServerHandshake(options);
    }

    /// <inheritdoc />
    public void Start()
    {
        ThrowIfFailed();
        Guard(OnStart);
    }

    /// <inheritdoc />
    public void ProcessInput(EncryptionLevel level, ReadOnlySpan<byte> data)
    {
        ThrowIfFailed();
        if (data.IsEmpty)
        {
            return;
        }

        try
        {
            if (level != ExpectedLevel || (uint)level >= (uint)_input.Length)
            {
                throw new TlsAlertException(TlsAlert.UnexpectedMessage, "Handshake data at the " + level + " level was not expected.");
            }

            MessageBuffer buffer = _input[(int)level];
            int capacity = Options.MaxMessageBytes + 4;
            while (!data.IsEmpty)
            {
                // Several messages may arrive in one call: buffer at most one maximal message at a time.
                int take = Math.Min(data.Length, capacity - buffer.Length);
                if (take <= 0 || ExpectedLevel != level)
                {
                    throw new TlsAlertException(TlsAlert.UnexpectedMessage, "Handshake data left over at the " + level + " level after a key change.");
                }

                buffer.Append(data[..take]);
                data = data[take..];
                while (buffer.TryTake(Options.MaxMessageBytes, out byte[]? message))
                {
                    OnMessage(level, message[0], message);
                    if (ExpectedLevel != level && (buffer.Length > 0 || !data.IsEmpty))
                    {
                        throw new TlsAlertException(TlsAlert.UnexpectedMessage, "Handshake data left over at the " + level + " level after a key change.");
                    }
                }
            }
        }
        catch (TlsAlertException alert)
        {
            Fail(alert);
            throw;
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or InvalidOperationException or IndexOutOfRangeException or OverflowException)
        {
            // Never expected: a bug in this module. The peer still only sees an internal_error alert.
            var alert = new TlsAlertException(TlsAlert.InternalError, "TLS handshake failed internally (" + ex.GetType().Name + ").");
            Fail(alert);
            throw alert;
        }
    }

    /// <inheritdoc />
    public bool TryTakeOutput(out EncryptionLevel level, out ReadOnlyMemory<byte> data)
    {
        if (_output.Count == 0)
        {
            level = default;
            data = default;
            return false;
        }

        (level, TlsWriter bytes) = _output[0];
        _output.RemoveAt(0);
        data = bytes.ToArray();
        return true;
    }

    /// <inheritdoc />
    public bool TryTakeKeys(out TlsTrafficKeys keys)
    {
        return _keys.TryDequeue(out keys!);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Zeroes secrets and releases key material.</summary>
    protected virtual void Dispose(bool disposing)
    {
        CryptographicOperations.ZeroMemory(Seed);
        ClearHandshakeSecrets();
        Transcript.Dispose();
    }

    /// <summary>Role-specific start.</summary>
    protected abstract void OnStart();

    /// <summary>Handles one complete handshake message (header included) received at <paramref name="level"/>.</summary>
    protected abstract void OnMessage(EncryptionLevel level, byte type, byte[] message);

    /// <summary>Queues <paramref name="message"/> for sending at <paramref name="level"/> and adds it to the transcript.</summary>
    protected void Send(EncryptionLevel level, byte[] message, bool addToTranscript = true)
    {
        if (addToTranscript)
        {
            Transcript.Add(message);
        }

        if (_output.Count > 0 && _output[^1].Level == level)
        {
            _output[^1].Bytes.WriteBytes(message);
            return;
        }

        var writer = new TlsWriter(message.Length);
        writer.WriteBytes(message);
        _output.Add((level, writer));
    }

    /// <summary>Hands secrets for <paramref name="level"/> to QUIC (the arrays become QUIC's).</summary>
    protected void EmitKeys(EncryptionLevel level, byte[] readSecret, byte[] writeSecret)
    {
        _keys.Enqueue(new TlsTrafficKeys(level, CipherSuite, readSecret, writeSecret));
    }

    /// <summary>Derives the handshake secrets from the (EC)DHE result and the transcript through ServerHello.</summary>
    protected void DeriveHandshakeSecrets(byte[] sharedSecret)
    {
        HandshakeSecret = TlsKeySchedule.HandshakeSecret(Hash, sharedSecret);
        CryptographicOperations.ZeroMemory(sharedSecret);
        byte[] transcriptHash = Transcript.CurrentHash();
        ClientHandshakeSecret = TlsKeySchedule.DeriveSecret(Hash, HandshakeSecret, "c hs traffic", transcriptHash);
        ServerHandshakeSecret = TlsKeySchedule.DeriveSecret(Hash, HandshakeSecret, "s hs traffic", transcriptHash);
    }

    /// <summary>Derives (client, server) application traffic secrets from the transcript through the server Finished.</summary>
    protected (byte[] Client, byte[] Server) DeriveApplicationSecrets()
    {
        byte[] transcriptHash = Transcript.CurrentHash();
        byte[] master = TlsKeySchedule.MasterSecret(Hash, HandshakeSecret!);
        try
        {
            return (TlsKeySchedule.DeriveSecret(Hash, master, "c ap traffic", transcriptHash),
                TlsKeySchedule.DeriveSecret(Hash, master, "s ap traffic", transcriptHash));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(master);
            CryptographicOperations.ZeroMemory(HandshakeSecret);
            HandshakeSecret = null;
        }
    }

    /// <summary>Builds a Finished message keyed by <paramref name="baseKey"/> over the current transcript.</summary>
    protected byte[] BuildFinished(byte[] baseKey)
    {
        byte[] verifyData = TlsKeySchedule.VerifyData(Hash, baseKey, Transcript.CurrentHash());
        if ((Options.TestHooks & TlsTestHooks.CorruptFinished) != 0)
        {
            verifyData[0] ^= 1;
        }

        var w = new TlsWriter(4 + verifyData.Length);
        int start = TlsMessage.Begin(w, TlsHandshakeType.Finished);
        w.WriteBytes(verifyData);
        TlsMessage.End(w, start);
        return w.ToArray();
    }

    /// <summary>Checks a received Finished keyed by <paramref name="baseKey"/> against the current transcript.</summary>
    protected void VerifyFinished(byte[] baseKey, byte[] message)
    {
        ReadOnlySpan<byte> body = message.AsSpan(4);
        if (body.Length != TlsKeySchedule.HashLength(Hash))
        {
            throw TlsReader.Fail("Finished has the wrong length");
        }

        byte[] expected = TlsKeySchedule.VerifyData(Hash, baseKey, Transcript.CurrentHash());
        if (!RawPublicKey.MacEquals(expected, body))
        {
            throw new TlsAlertException(TlsAlert.DecryptError, "The peer's Finished does not verify.");
        }
    }

    /// <summary>Builds our Certificate message (one raw public key entry, or none under the test hook).</summary>
    protected byte[] BuildCertificate(byte[] context, bool empty)
    {
        var certificate = new CertificateMessage { Context = context };
        if (!empty)
        {
            certificate.Entries.Add(RawPublicKey.EncodeSpki(OurPublicKey));
        }

        return certificate.Encode();
    }

    /// <summary>Builds our CertificateVerify over the current transcript.</summary>
    protected byte[] BuildCertificateVerify(bool server)
    {
        byte[] signature = Options.SigningKey is { } signingKey
            ? RawPublicKey.SignCertificateVerify(signingKey, server, Transcript.CurrentHash())
            : RawPublicKey.SignCertificateVerify(Seed, server, Transcript.CurrentHash());
        CryptographicOperations.ZeroMemory(Seed);
        if ((Options.TestHooks & TlsTestHooks.CorruptCertificateVerify) != 0)
        {
            signature[10] ^= 0x40;
        }

        return new CertificateVerifyMessage { Scheme = TlsConstants.Ed25519Scheme, Signature = signature }.Encode();
    }

    /// <summary>Parses a peer's CertificateVerify and checks it against the current transcript.</summary>
    protected void VerifyCertificateVerify(byte[] message, byte[] peerKey, bool server)
    {
        CertificateVerifyMessage verify = CertificateVerifyMessage.Decode(message.AsSpan(4));
        if (verify.Scheme != TlsConstants.Ed25519Scheme)
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "CertificateVerify uses a scheme other than ed25519.");
        }

        if (!RawPublicKey.VerifyCertificateVerify(peerKey, server, Transcript.CurrentHash(), verify.Signature))
        {
            throw new TlsAlertException(TlsAlert.DecryptError, "The peer's CertificateVerify signature does not verify.");
        }
    }

    /// <summary>Parses a peer's Certificate: exactly one 44-byte Ed25519 SPKI without extensions.</summary>
    protected static byte[] ParsePeerCertificate(byte[] message, ReadOnlySpan<byte> expectedContext, TlsAlert whenEmpty)
    {
        CertificateMessage certificate = CertificateMessage.Decode(message.AsSpan(4));
        if (!certificate.Context.AsSpan().SequenceEqual(expectedContext))
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "The Certificate context does not match.");
        }

        if (certificate.Entries.Count == 0)
        {
            throw new TlsAlertException(whenEmpty, "The peer sent no certificate.");
        }

        if (certificate.Entries.Count > 1)
        {
            throw new TlsAlertException(TlsAlert.BadCertificate, "The peer sent more than one certificate.");
        }

        if (certificate.HasEntryExtensions)
        {
            throw new TlsAlertException(TlsAlert.UnsupportedExtension, "The certificate entry carries unsolicited extensions.");
        }

        return RawPublicKey.ParseSpki(certificate.Entries[0]);
    }

    /// <summary>Fails the handshake for a message that is not valid in the current state.</summary>
    protected static TlsAlertException Unexpected(byte type)
    {
        if (type == TlsHandshakeType.KeyUpdate)
        {
            return new TlsAlertException(TlsAlert.UnexpectedMessage, "TLS KeyUpdate is forbidden in QUIC.")
            {
                TransportErrorCode = TlsConstants.QuicProtocolViolation,
            };
        }

        return new TlsAlertException(TlsAlert.UnexpectedMessage, "Handshake message type " + type + " was not expected.");
    }

    /// <summary>Zeroes the handshake-stage secrets.</summary>
    protected void ClearHandshakeSecrets()
    {
        CryptographicOperations.ZeroMemory(HandshakeSecret);
        CryptographicOperations.ZeroMemory(ClientHandshakeSecret);
        CryptographicOperations.ZeroMemory(ServerHandshakeSecret);
        HandshakeSecret = null;
        ClientHandshakeSecret = null;
        ServerHandshakeSecret = null;
    }

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (TlsAlertException alert)
        {
            Fail(alert);
            throw;
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new TlsAlertException(_failure.Alert, _failure.Message) { TransportErrorCode = _failure.TransportErrorCode };
        }
    }

    /// <summary>"client" or "server", for log messages.</summary>
    protected string Role => Options.IsClient ? "client" : "server";

    /// <summary>Marks the handshake complete and logs it.</summary>
    protected void Complete(byte[] peerKey)
    {
        PeerPublicKey = peerKey;
        ExpectedLevel = EncryptionLevel.Application;
        IsHandshakeComplete = true;
        ClearHandshakeSecrets();
        if (Logger.IsEnabled(LogLevel.Debug))
        {
            string peer = Convert.ToHexStringLower(peerKey);
            TlsLog.HandshakeCompleted(Logger, Role, peer, CipherSuite, NegotiatedAlpn);
        }
    }

    private void Fail(TlsAlertException alert)
    {
        if (Logger.IsEnabled(LogLevel.Information))
        {
            TlsLog.HandshakeFailed(Logger, Role, alert.Alert, alert.Message);
        }

        _failure = alert;
        _output.Clear();
        ClearHandshakeSecrets();
        CryptographicOperations.ZeroMemory(Seed);
        OnFailed();
    }

    /// <summary>Role-specific cleanup after a failure.</summary>
    protected virtual void OnFailed()
    {
    }

    private sealed class MessageBuffer
    {
        private byte[] _bytes = new byte[256];

        public int Length { get; private set; }

        public void Append(ReadOnlySpan<byte> data)
        {
            if (Length + data.Length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, Length + data.Length));
            }

            data.CopyTo(_bytes.AsSpan(Length));
            Length += data.Length;
        }

        public bool TryTake(int limit, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? message)
        {
            message = null;
            if (Length < 4)
            {
                return false;
            }

            int bodyLength = (_bytes[1] << 16) | (_bytes[2] << 8) | _bytes[3];
            if (bodyLength > limit)
            {
                throw new TlsAlertException(TlsAlert.DecodeError, "Handshake message longer than " + limit + " bytes.");
            }

            if (Length < 4 + bodyLength)
            {
                return false;
            }

            message = _bytes.AsSpan(0, 4 + bodyLength).ToArray();
            _bytes.AsSpan(4 + bodyLength, Length - 4 - bodyLength).CopyTo(_bytes);
            Length -= 4 + bodyLength;
            return true;
        }
    }
}
