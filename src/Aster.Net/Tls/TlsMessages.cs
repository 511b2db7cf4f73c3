namespace Aster.Net.Tls;

/// <summary>One key_share entry: a named group and its public key bytes.</summary>
/// <param name="Group">The named group code point.</param>
/// <param name="Key">The public key bytes (32 for x25519, 65 for secp256r1).</param>
internal readonly record struct KeyShareEntry(ushort Group, byte[] Key);

/// <summary>Framing helpers shared by the message codecs.</summary>
internal static class TlsMessage
{
    /// <summary>Starts a handshake message: type byte and a 24-bit length to fill in with <see cref="End"/>.</summary>
    public static int Begin(TlsWriter writer, byte type)
    {
        writer.WriteUInt8(type);
        return writer.BeginLength(3);
    }

    /// <summary>Ends a handshake message started with <see cref="Begin"/>.</summary>
    public static void End(TlsWriter writer, int start)
    {
        writer.EndLength(start, 3);
    }

    /// <summary>Records an extension type and fails with illegal_parameter when it was already seen.</summary>
    public static void MarkSeen(HashSet<ushort> seen, ushort type)
    {
        if (!seen.Add(type))
        {
            throw new TlsAlertException(TlsAlert.IllegalParameter, "Duplicate TLS extension " + type + ".");
        }
    }

    /// <summary>Reads a non-empty list of 16-bit values with a 2-byte length prefix.</summary>
    public static List<ushort> ReadUInt16List16(ReadOnlySpan<byte> body)
    {
        var reader = new TlsReader(body);
        ReadOnlySpan<byte> list = reader.ReadVector16();
        reader.EnsureEnd();
        return ReadUInt16Values(list);
    }

    /// <summary>Reads a non-empty list of 16-bit values (no prefix).</summary>
    public static List<ushort> ReadUInt16Values(ReadOnlySpan<byte> list)
    {
        if (list.Length == 0 || (list.Length & 1) != 0)
        {
            throw TlsReader.Fail("bad 16-bit list length");
        }

        var values = new List<ushort>(list.Length / 2);
        var reader = new TlsReader(list);
        while (reader.Remaining > 0)
        {
            values.Add(reader.ReadUInt16());
        }

        return values;
    }

    /// <summary>Writes a list of 16-bit values with a length prefix of <paramref name="prefixBytes"/>.</summary>
    public static void WriteUInt16List(TlsWriter writer, IReadOnlyList<ushort> values, int prefixBytes)
    {
        int start = writer.BeginLength(prefixBytes);
        foreach (ushort value in values)
        {
            writer.WriteUInt16(value);
        }

        writer.EndLength(start, prefixBytes);
    }

    /// <summary>Reads an ALPN ProtocolNameList (RFC 7301).</summary>
    public static List<byte[]> ReadAlpnList(ReadOnlySpan<byte> body)
    {
        var outer = new TlsReader(body);
        var list = new TlsReader(outer.ReadVector16());
        outer.EnsureEnd();
        var names = new List<byte[]>();
        while (list.Remaining > 0)
        {
            ReadOnlySpan<byte> name = list.ReadVector8();
            if (name.Length == 0)
            {
                throw TlsReader.Fail("empty ALPN protocol name");
            }

            names.Add(name.ToArray());
        }

        if (names.Count == 0)
        {
            throw TlsReader.Fail("empty ALPN list");
        }

        return names;
    }

    /// <summary>Writes an ALPN extension body.</summary>
    public static byte[] EncodeAlpnList(IEnumerable<byte[]> names)
    {
        var writer = new TlsWriter(64);
        int start = writer.BeginLength(2);
        foreach (byte[] name in names)
        {
            writer.WriteVector8(name);
        }

        writer.EndLength(start, 2);
        return writer.ToArray();
    }
}

/// <summary>The ClientHello message (RFC 8446, section 4.1.2) with the extensions Aster knows.</summary>
internal sealed class ClientHello
{
    /// <summary>legacy_version.</summary>
    public ushort LegacyVersion { get; set; } = TlsConstants.LegacyVersion;

    /// <summary>The 32-byte random.</summary>
    public byte[] Random { get; set; } = [];

    /// <summary>legacy_session_id (empty in QUIC).</summary>
    public byte[] SessionId { get; set; } = [];

    /// <summary>Offered cipher suites.</summary>
    public List<ushort> CipherSuites { get; set; } = [];

    /// <summary>legacy_compression_methods.</summary>
    public byte[] CompressionMethods { get; set; } = [0];

    /// <summary>The host name to send in server_name; on decode, the raw extension body if present.</summary>
    public string? ServerName { get; set; }

    /// <summary>True when a server_name extension was present (decode).</summary>
    public bool HasServerName { get; set; }

    /// <summary>supported_groups.</summary>
    public List<ushort>? SupportedGroups { get; set; }

    /// <summary>signature_algorithms.</summary>
    public List<ushort>? SignatureAlgorithms { get; set; }

    /// <summary>ALPN protocol names, in preference order.</summary>
    public List<byte[]>? Alpns { get; set; }

    /// <summary>client_certificate_type list.</summary>
    public byte[]? ClientCertificateTypes { get; set; }

    /// <summary>server_certificate_type list.</summary>
    public byte[]? ServerCertificateTypes { get; set; }

    /// <summary>supported_versions.</summary>
    public List<ushort>? SupportedVersions { get; set; }

    /// <summary>key_share entries.</summary>
    public List<KeyShareEntry>? KeyShares { get; set; }

    /// <summary>quic_transport_parameters body.</summary>
    public byte[]? TransportParameters { get; set; }

    /// <summary>cookie, echoed from a HelloRetryRequest.</summary>
    public byte[]? Cookie { get; set; }

    /// <summary>True when the peer offered pre_shared_key (ignored: we always do a full handshake).</summary>
    public bool OffersPsk { get; set; }

    /// <summary>True when the peer offered early_data (ignored: never accepted).</summary>
    public bool OffersEarlyData { get; set; }

    /// <summary>Encodes the complete handshake message (header included).</summary>
    public byte[] Encode()
    {
        var w = new TlsWriter(512);
        int message = TlsMessage.Begin(w, TlsHandshakeType.ClientHello);
        w.WriteUInt16(LegacyVersion);
        w.WriteBytes(Random);
        w.WriteVector8(SessionId);
        TlsMessage.WriteUInt16List(w, CipherSuites, 2);
        w.WriteVector8(CompressionMethods);
        int extensions = w.BeginLength(2);
        if (ServerName is not null)
        {
            byte[] name = System.Text.Encoding.ASCII.GetBytes(ServerName);
            w.WriteUInt16(TlsExtensionType.ServerName);
            int ext = w.BeginLength(2);
            int list = w.BeginLength(2);
            w.WriteUInt8(0);
            w.WriteVector16(name);
            w.EndLength(list, 2);
            w.EndLength(ext, 2);
        }

        if (SupportedGroups is not null)
        {
            w.WriteUInt16(TlsExtensionType.SupportedGroups);
            int ext = w.BeginLength(2);
            TlsMessage.WriteUInt16List(w, SupportedGroups, 2);
            w.EndLength(ext, 2);
        }

        if (SignatureAlgorithms is not null)
        {
            w.WriteUInt16(TlsExtensionType.SignatureAlgorithms);
            int ext = w.BeginLength(2);
            TlsMessage.WriteUInt16List(w, SignatureAlgorithms, 2);
            w.EndLength(ext, 2);
        }

        if (Alpns is not null)
        {
            w.WriteExtension(TlsExtensionType.Alpn, TlsMessage.EncodeAlpnList(Alpns));
        }

        if (ClientCertificateTypes is not null)
        {
            w.WriteUInt16(TlsExtensionType.ClientCertificateType);
            int ext = w.BeginLength(2);
            w.WriteVector8(ClientCertificateTypes);
            w.EndLength(ext, 2);
        }

        if (ServerCertificateTypes is not null)
        {
            w.WriteUInt16(TlsExtensionType.ServerCertificateType);
            int ext = w.BeginLength(2);
            w.WriteVector8(ServerCertificateTypes);
            w.EndLength(ext, 2);
        }

        if (SupportedVersions is not null)
        {
            w.WriteUInt16(TlsExtensionType.SupportedVersions);
            int ext = w.BeginLength(2);
            TlsMessage.WriteUInt16List(w, SupportedVersions, 1);
            w.EndLength(ext, 2);
        }

        if (Cookie is not null)
        {
            w.WriteUInt16(TlsExtensionType.Cookie);
            int ext = w.BeginLength(2);
            w.WriteVector16(Cookie);
            w.EndLength(ext, 2);
        }

        if (KeyShares is not null)
        {
            w.WriteUInt16(TlsExtensionType.KeyShare);
            int ext = w.BeginLength(2);
            int list = w.BeginLength(2);
            foreach (KeyShareEntry share in KeyShares)
            {
                w.WriteUInt16(share.Group);
                w.WriteVector16(share.Key);
            }

            w.EndLength(list, 2);
            w.EndLength(ext, 2);
        }

        if (TransportParameters is not null)
        {
            w.WriteExtension(TlsExtensionType.QuicTransportParameters, TransportParameters);
        }

        w.EndLength(extensions, 2);
        TlsMessage.End(w, message);
        return w.ToArray();
    }

    /// <summary>Decodes a ClientHello body (the bytes after the 4-byte handshake header).</summary>
    public static ClientHello Decode(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var hello = new ClientHello
        {
            LegacyVersion = r.ReadUInt16(),
            Random = r.ReadBytes(TlsConstants.RandomLength).ToArray(),
        };
        ReadOnlySpan<byte> sessionId = r.ReadVector8();
        if (sessionId.Length > 32)
        {
            throw TlsReader.Fail("legacy_session_id longer than 32 bytes");
        }

        hello.SessionId = sessionId.ToArray();
        hello.CipherSuites = TlsMessage.ReadUInt16Values(r.ReadVector16());
        ReadOnlySpan<byte> compression = r.ReadVector8();
        if (compression.Length == 0)
        {
            throw TlsReader.Fail("empty compression methods");
        }

        hello.CompressionMethods = compression.ToArray();
        if (r.Remaining == 0)
        {
            return hello;
        }

        var extensions = new TlsReader(r.ReadVector16());
        r.EnsureEnd();
        var seen = new HashSet<ushort>();
        while (extensions.Remaining > 0)
        {
            ushort type = extensions.ReadUInt16();
            ReadOnlySpan<byte> data = extensions.ReadVector16();
            TlsMessage.MarkSeen(seen, type);
            hello.DecodeExtension(type, data);
        }

        return hello;
    }

    private void DecodeExtension(ushort type, ReadOnlySpan<byte> data)
    {
        switch (type)
        {
            case TlsExtensionType.ServerName:
                {
                    // Parsed for well-formedness only: the server never depends on the name (transport.md 1.5).
                    var reader = new TlsReader(data);
                    if (reader.Remaining > 0)
                    {
                        var list = new TlsReader(reader.ReadVector16());
                        reader.EnsureEnd();
                        while (list.Remaining > 0)
                        {
                            list.ReadUInt8();
                            list.ReadVector16();
                        }
                    }

                    HasServerName = true;
                    break;
                }

            case TlsExtensionType.SupportedGroups:
                SupportedGroups = TlsMessage.ReadUInt16List16(data);
                break;
            case TlsExtensionType.SignatureAlgorithms:
                SignatureAlgorithms = TlsMessage.ReadUInt16List16(data);
                break;
            case TlsExtensionType.Alpn:
                Alpns = TlsMessage.ReadAlpnList(data);
                break;
            case TlsExtensionType.ClientCertificateType:
                ClientCertificateTypes = ReadTypeList(data);
                break;
            case TlsExtensionType.ServerCertificateType:
                ServerCertificateTypes = ReadTypeList(data);
                break;
            case TlsExtensionType.SupportedVersions:
                {
                    var reader = new TlsReader(data);
                    SupportedVersions = TlsMessage.ReadUInt16Values(reader.ReadVector8());
                    reader.EnsureEnd();
                    break;
                }

            case TlsExtensionType.Cookie:
                {
                    var reader = new TlsReader(data);
                    ReadOnlySpan<byte> cookie = reader.ReadVector16();
                    reader.EnsureEnd();
                    if (cookie.Length == 0)
                    {
                        throw TlsReader.Fail("empty cookie");
                    }

                    Cookie = cookie.ToArray();
                    break;
                }

            case TlsExtensionType.KeyShare:
                {
                    var reader = new TlsReader(data);
                    var list = new TlsReader(reader.ReadVector16());
                    reader.EnsureEnd();
                    var shares = new List<KeyShareEntry>();
                    var groups = new HashSet<ushort>();
                    while (list.Remaining > 0)
                    {
                        ushort group = list.ReadUInt16();
                        ReadOnlySpan<byte> key = list.ReadVector16();
                        if (key.Length == 0)
                        {
                            throw TlsReader.Fail("empty key share");
                        }

                        if (!groups.Add(group))
                        {
                            throw new TlsAlertException(TlsAlert.IllegalParameter, "Two key shares for one group.");
                        }

                        shares.Add(new KeyShareEntry(group, key.ToArray()));
                    }

                    KeyShares = shares;
                    break;
                }

            case TlsExtensionType.QuicTransportParameters:
                TransportParameters = data.ToArray();
                break;
            case TlsExtensionType.PreSharedKey:
                OffersPsk = true;
                break;
            case TlsExtensionType.EarlyData:
                OffersEarlyData = true;
                break;
            default:
                // Unknown extensions in a ClientHello are ignored (RFC 8446, section 4.2).
                break;
        }
    }

    private static byte[] ReadTypeList(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        ReadOnlySpan<byte> list = reader.ReadVector8();
        reader.EnsureEnd();
        if (list.Length == 0)
        {
            throw TlsReader.Fail("empty certificate type list");
        }

        return list.ToArray();
    }
}

/// <summary>The ServerHello message, which is a HelloRetryRequest when its random is the special value.</summary>
internal sealed class ServerHello
{
    /// <summary>legacy_version.</summary>
    public ushort LegacyVersion { get; set; } = TlsConstants.LegacyVersion;

    /// <summary>The 32-byte random (the special value for a HelloRetryRequest).</summary>
    public byte[] Random { get; set; } = [];

    /// <summary>legacy_session_id_echo.</summary>
    public byte[] SessionIdEcho { get; set; } = [];

    /// <summary>The selected cipher suite.</summary>
    public ushort CipherSuite { get; set; }

    /// <summary>legacy_compression_method.</summary>
    public byte CompressionMethod { get; set; }

    /// <summary>The selected version from supported_versions, if present.</summary>
    public ushort? SelectedVersion { get; set; }

    /// <summary>The server's key share (ServerHello) — null in a HelloRetryRequest.</summary>
    public KeyShareEntry? KeyShare { get; set; }

    /// <summary>The group a HelloRetryRequest asks for.</summary>
    public ushort? SelectedGroup { get; set; }

    /// <summary>cookie (HelloRetryRequest only).</summary>
    public byte[]? Cookie { get; set; }

    /// <summary>True when this is a HelloRetryRequest.</summary>
    public bool IsHelloRetryRequest => Random.AsSpan().SequenceEqual(TlsConstants.HelloRetryRequestRandom);

    /// <summary>Encodes the complete handshake message.</summary>
    public byte[] Encode()
    {
        var w = new TlsWriter(160);
        int message = TlsMessage.Begin(w, TlsHandshakeType.ServerHello);
        w.WriteUInt16(LegacyVersion);
        w.WriteBytes(Random);
        w.WriteVector8(SessionIdEcho);
        w.WriteUInt16(CipherSuite);
        w.WriteUInt8(CompressionMethod);
        int extensions = w.BeginLength(2);
        if (SelectedVersion is ushort version)
        {
            w.WriteUInt16(TlsExtensionType.SupportedVersions);
            w.WriteUInt16(2);
            w.WriteUInt16(version);
        }

        if (KeyShare is KeyShareEntry share)
        {
            w.WriteUInt16(TlsExtensionType.KeyShare);
            int ext = w.BeginLength(2);
            w.WriteUInt16(share.Group);
            w.WriteVector16(share.Key);
            w.EndLength(ext, 2);
        }
        else if (SelectedGroup is ushort group)
        {
            w.WriteUInt16(TlsExtensionType.KeyShare);
            w.WriteUInt16(2);
            w.WriteUInt16(group);
        }

        if (Cookie is not null)
        {
            w.WriteUInt16(TlsExtensionType.Cookie);
            int ext = w.BeginLength(2);
            w.WriteVector16(Cookie);
            w.EndLength(ext, 2);
        }

        w.EndLength(extensions, 2);
        TlsMessage.End(w, message);
        return w.ToArray();
    }

    /// <summary>Decodes a ServerHello or HelloRetryRequest body.</summary>
    public static ServerHello Decode(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var hello = new ServerHello
        {
            LegacyVersion = r.ReadUInt16(),
            Random = r.ReadBytes(TlsConstants.RandomLength).ToArray(),
        };
        ReadOnlySpan<byte> sessionId = r.ReadVector8();
        if (sessionId.Length > 32)
        {
            throw TlsReader.Fail("legacy_session_id_echo longer than 32 bytes");
        }

        hello.SessionIdEcho = sessionId.ToArray();
        hello.CipherSuite = r.ReadUInt16();
        hello.CompressionMethod = r.ReadUInt8();
        var extensions = new TlsReader(r.ReadVector16());
        r.EnsureEnd();
        bool retry = hello.IsHelloRetryRequest;
        var seen = new HashSet<ushort>();
        while (extensions.Remaining > 0)
        {
            ushort type = extensions.ReadUInt16();
            var data = new TlsReader(extensions.ReadVector16());
            TlsMessage.MarkSeen(seen, type);
            switch (type)
            {
                case TlsExtensionType.SupportedVersions:
                    hello.SelectedVersion = data.ReadUInt16();
                    break;
                case TlsExtensionType.KeyShare when retry:
                    hello.SelectedGroup = data.ReadUInt16();
                    break;
                case TlsExtensionType.KeyShare:
                    {
                        ushort group = data.ReadUInt16();
                        ReadOnlySpan<byte> key = data.ReadVector16();
                        if (key.Length == 0)
                        {
                            throw TlsReader.Fail("empty key share");
                        }

                        hello.KeyShare = new KeyShareEntry(group, key.ToArray());
                        break;
                    }

                case TlsExtensionType.Cookie when retry:
                    {
                        ReadOnlySpan<byte> cookie = data.ReadVector16();
                        if (cookie.Length == 0)
                        {
                            throw TlsReader.Fail("empty cookie");
                        }

                        hello.Cookie = cookie.ToArray();
                        break;
                    }

                default:
                    throw new TlsAlertException(TlsAlert.UnsupportedExtension, "Unsolicited extension " + type + " in ServerHello.");
            }

            data.EnsureEnd();
        }

        return hello;
    }
}

/// <summary>The EncryptedExtensions message as Aster uses it.</summary>
internal sealed class EncryptedExtensions
{
    /// <summary>The selected ALPN protocol.</summary>
    public byte[]? Alpn { get; set; }

    /// <summary>The client certificate type the server will accept.</summary>
    public byte? ClientCertificateType { get; set; }

    /// <summary>The server certificate type the server will send.</summary>
    public byte? ServerCertificateType { get; set; }

    /// <summary>quic_transport_parameters body.</summary>
    public byte[]? TransportParameters { get; set; }

    /// <summary>An extra extension to append (a test hook for unsolicited extensions).</summary>
    public ushort? ExtraExtension { get; set; }

    /// <summary>Encodes the complete handshake message.</summary>
    public byte[] Encode()
    {
        var w = new TlsWriter(128 + (TransportParameters?.Length ?? 0));
        int message = TlsMessage.Begin(w, TlsHandshakeType.EncryptedExtensions);
        int extensions = w.BeginLength(2);
        if (Alpn is not null)
        {
            w.WriteExtension(TlsExtensionType.Alpn, TlsMessage.EncodeAlpnList([Alpn]));
        }

        if (ClientCertificateType is byte clientType)
        {
            w.WriteExtension(TlsExtensionType.ClientCertificateType, [clientType]);
        }

        if (ServerCertificateType is byte serverType)
        {
            w.WriteExtension(TlsExtensionType.ServerCertificateType, [serverType]);
        }

        if (TransportParameters is not null)
        {
            w.WriteExtension(TlsExtensionType.QuicTransportParameters, TransportParameters);
        }

        if (ExtraExtension is ushort extra)
        {
            w.WriteExtension(extra, []);
        }

        w.EndLength(extensions, 2);
        TlsMessage.End(w, message);
        return w.ToArray();
    }

    /// <summary>Decodes the body; any extension outside what a client of ours solicits is unsupported_extension.</summary>
    public static EncryptedExtensions Decode(ReadOnlySpan<byte> body, bool sentServerName)
    {
        var r = new TlsReader(body);
        var extensions = new TlsReader(r.ReadVector16());
        r.EnsureEnd();
        var result = new EncryptedExtensions();
        var seen = new HashSet<ushort>();
        while (extensions.Remaining > 0)
        {
            ushort type = extensions.ReadUInt16();
            ReadOnlySpan<byte> data = extensions.ReadVector16();
            TlsMessage.MarkSeen(seen, type);
            switch (type)
            {
                case TlsExtensionType.ServerName when sentServerName:
                    if (data.Length != 0)
                    {
                        throw TlsReader.Fail("non-empty server_name acknowledgement");
                    }

                    break;
                case TlsExtensionType.SupportedGroups:
                    TlsMessage.ReadUInt16List16(data);
                    break;
                case TlsExtensionType.Alpn:
                    {
                        List<byte[]> names = TlsMessage.ReadAlpnList(data);
                        if (names.Count != 1)
                        {
                            throw new TlsAlertException(TlsAlert.IllegalParameter, "The server selected more than one ALPN protocol.");
                        }

                        result.Alpn = names[0];
                        break;
                    }

                case TlsExtensionType.ClientCertificateType:
                    result.ClientCertificateType = ReadSingleByte(data);
                    break;
                case TlsExtensionType.ServerCertificateType:
                    result.ServerCertificateType = ReadSingleByte(data);
                    break;
                case TlsExtensionType.QuicTransportParameters:
                    result.TransportParameters = data.ToArray();
                    break;
                default:
                    throw new TlsAlertException(TlsAlert.UnsupportedExtension, "Unsolicited extension " + type + " in EncryptedExtensions.");
            }
        }

        return result;
    }

    private static byte ReadSingleByte(ReadOnlySpan<byte> data)
    {
        var reader = new TlsReader(data);
        byte value = reader.ReadUInt8();
        reader.EnsureEnd();
        return value;
    }
}

/// <summary>The CertificateRequest message.</summary>
internal sealed class CertificateRequest
{
    /// <summary>certificate_request_context (empty during the handshake).</summary>
    public byte[] Context { get; set; } = [];

    /// <summary>signature_algorithms; null when absent.</summary>
    public List<ushort>? SignatureAlgorithms { get; set; }

    /// <summary>Encodes the complete handshake message.</summary>
    public byte[] Encode()
    {
        var w = new TlsWriter(32);
        int message = TlsMessage.Begin(w, TlsHandshakeType.CertificateRequest);
        w.WriteVector8(Context);
        int extensions = w.BeginLength(2);
        if (SignatureAlgorithms is not null)
        {
            w.WriteUInt16(TlsExtensionType.SignatureAlgorithms);
            int ext = w.BeginLength(2);
            TlsMessage.WriteUInt16List(w, SignatureAlgorithms, 2);
            w.EndLength(ext, 2);
        }

        w.EndLength(extensions, 2);
        TlsMessage.End(w, message);
        return w.ToArray();
    }

    /// <summary>Decodes the body; unknown extensions are ignored (RFC 8446, section 4.3.2).</summary>
    public static CertificateRequest Decode(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var result = new CertificateRequest { Context = r.ReadVector8().ToArray() };
        var extensions = new TlsReader(r.ReadVector16());
        r.EnsureEnd();
        var seen = new HashSet<ushort>();
        while (extensions.Remaining > 0)
        {
            ushort type = extensions.ReadUInt16();
            ReadOnlySpan<byte> data = extensions.ReadVector16();
            TlsMessage.MarkSeen(seen, type);
            if (type == TlsExtensionType.SignatureAlgorithms)
            {
                result.SignatureAlgorithms = TlsMessage.ReadUInt16List16(data);
            }
        }

        return result;
    }
}

/// <summary>The Certificate message carrying RFC 7250 raw public keys.</summary>
internal sealed class CertificateMessage
{
    /// <summary>certificate_request_context.</summary>
    public byte[] Context { get; set; } = [];

    /// <summary>The cert_data of each entry.</summary>
    public List<byte[]> Entries { get; set; } = [];

    /// <summary>True when any entry carried extensions (none are ever solicited).</summary>
    public bool HasEntryExtensions { get; set; }

    /// <summary>Encodes the complete handshake message.</summary>
    public byte[] Encode()
    {
        var w = new TlsWriter(64);
        int message = TlsMessage.Begin(w, TlsHandshakeType.Certificate);
        w.WriteVector8(Context);
        int list = w.BeginLength(3);
        foreach (byte[] entry in Entries)
        {
            int data = w.BeginLength(3);
            w.WriteBytes(entry);
            w.EndLength(data, 3);
            w.WriteUInt16(0);
        }

        w.EndLength(list, 3);
        TlsMessage.End(w, message);
        return w.ToArray();
    }

    /// <summary>Decodes the body.</summary>
    public static CertificateMessage Decode(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var result = new CertificateMessage { Context = r.ReadVector8().ToArray() };
        var list = new TlsReader(r.ReadVector24());
        r.EnsureEnd();
        while (list.Remaining > 0)
        {
            ReadOnlySpan<byte> data = list.ReadVector24();
            if (data.Length == 0)
            {
                throw TlsReader.Fail("empty certificate entry");
            }

            ReadOnlySpan<byte> extensions = list.ReadVector16();
            if (extensions.Length != 0)
            {
                result.HasEntryExtensions = true;
            }

            result.Entries.Add(data.ToArray());
        }

        return result;
    }
}

/// <summary>The CertificateVerify message.</summary>
internal sealed class CertificateVerifyMessage
{
    /// <summary>The signature scheme.</summary>
    public ushort Scheme { get; set; }

    /// <summary>The signature bytes.</summary>
    public byte[] Signature { get; set; } = [];

    /// <summary>Encodes the complete handshake message.</summary>
    public byte[] Encode()
    {
        var w = new TlsWriter(80);
        int message = TlsMessage.Begin(w, TlsHandshakeType.CertificateVerify);
        w.WriteUInt16(Scheme);
        w.WriteVector16(Signature);
        TlsMessage.End(w, message);
        return w.ToArray();
    }

    /// <summary>Decodes the body.</summary>
    public static CertificateVerifyMessage Decode(ReadOnlySpan<byte> body)
    {
        var r = new TlsReader(body);
        var result = new CertificateVerifyMessage { Scheme = r.ReadUInt16(), Signature = r.ReadVector16().ToArray() };
        r.EnsureEnd();
        return result;
    }
}
