using Aster.Net.Quic.Packets;

namespace Aster.Net.Quic.Parameters;

/// <summary>Transport parameter ids (RFC 9000, section 18.2).</summary>
internal enum QuicTransportParameterId : ulong
{
    /// <summary>original_destination_connection_id (server only).</summary>
    OriginalDestinationConnectionId = 0x00,

    /// <summary>max_idle_timeout in milliseconds.</summary>
    MaxIdleTimeout = 0x01,

    /// <summary>stateless_reset_token (server only).</summary>
    StatelessResetToken = 0x02,

    /// <summary>max_udp_payload_size.</summary>
    MaxUdpPayloadSize = 0x03,

    /// <summary>initial_max_data.</summary>
    InitialMaxData = 0x04,

    /// <summary>initial_max_stream_data_bidi_local.</summary>
    InitialMaxStreamDataBidiLocal = 0x05,

    /// <summary>initial_max_stream_data_bidi_remote.</summary>
    InitialMaxStreamDataBidiRemote = 0x06,

    /// <summary>initial_max_stream_data_uni.</summary>
    InitialMaxStreamDataUni = 0x07,

    /// <summary>initial_max_streams_bidi.</summary>
    InitialMaxStreamsBidi = 0x08,

    /// <summary>initial_max_streams_uni.</summary>
    InitialMaxStreamsUni = 0x09,

    /// <summary>ack_delay_exponent.</summary>
    AckDelayExponent = 0x0a,

    /// <summary>max_ack_delay in milliseconds.</summary>
    MaxAckDelay = 0x0b,

    /// <summary>disable_active_migration (empty value).</summary>
    DisableActiveMigration = 0x0c,

    /// <summary>preferred_address (server only).</summary>
    PreferredAddress = 0x0d,

    /// <summary>active_connection_id_limit.</summary>
    ActiveConnectionIdLimit = 0x0e,

    /// <summary>initial_source_connection_id.</summary>
    InitialSourceConnectionId = 0x0f,

    /// <summary>retry_source_connection_id (server only).</summary>
    RetrySourceConnectionId = 0x10,
}

/// <summary>
/// QUIC transport parameters (RFC 9000, section 18; transport.md, section 5): the body of the TLS
/// <c>quic_transport_parameters</c> extension. <see cref="Decode"/> validates a peer's block as strictly as noq does;
/// unknown ids, GREASE and iroh's extension parameters are skipped.
/// </summary>
internal sealed class QuicTransportParameters
{
    /// <summary>The longest parameter block we accept.</summary>
    public const int MaxEncodedLength = 65535;

    /// <summary>The default max_udp_payload_size.</summary>
    public const ulong DefaultMaxUdpPayloadSize = 65527;

    /// <summary>The largest ack_delay_exponent.</summary>
    public const ulong MaxAckDelayExponent = 20;

    /// <summary>max_ack_delay must be below 2^14 milliseconds.</summary>
    public const ulong MaxAckDelayLimit = 1UL << 14;

    /// <summary>The smallest allowed max_udp_payload_size.</summary>
    public const ulong MinUdpPayloadSize = 1200;

    /// <summary>The largest stream count, 2^60.</summary>
    public const ulong MaxStreamCount = 1UL << 60;

    /// <summary>The length of a preferred_address value without its connection id.</summary>
    private const int PreferredAddressFixedLength = 4 + 2 + 16 + 2 + 1 + 16;

    /// <summary>original_destination_connection_id (server only); null when absent.</summary>
    public byte[]? OriginalDestinationConnectionId { get; set; }

    /// <summary>max_idle_timeout in milliseconds; 0 means no timeout. Defaults to 0.</summary>
    public ulong MaxIdleTimeout { get; set; }

    /// <summary>stateless_reset_token (server only, 16 bytes); null when absent.</summary>
    public byte[]? StatelessResetToken { get; set; }

    /// <summary>max_udp_payload_size. Defaults to 65527.</summary>
    public ulong MaxUdpPayloadSize { get; set; } = DefaultMaxUdpPayloadSize;

    /// <summary>initial_max_data. Defaults to 0.</summary>
    public ulong InitialMaxData { get; set; }

    /// <summary>initial_max_stream_data_bidi_local. Defaults to 0.</summary>
    public ulong InitialMaxStreamDataBidiLocal { get; set; }

    /// <summary>initial_max_stream_data_bidi_remote. Defaults to 0.</summary>
    public ulong InitialMaxStreamDataBidiRemote { get; set; }

    /// <summary>initial_max_stream_data_uni. Defaults to 0.</summary>
    public ulong InitialMaxStreamDataUni { get; set; }

    /// <summary>initial_max_streams_bidi. Defaults to 0.</summary>
    public ulong InitialMaxStreamsBidi { get; set; }

    /// <summary>initial_max_streams_uni. Defaults to 0.</summary>
    public ulong InitialMaxStreamsUni { get; set; }

    /// <summary>ack_delay_exponent. Defaults to 3.</summary>
    public ulong AckDelayExponent { get; set; } = 3;

    /// <summary>max_ack_delay in milliseconds. Defaults to 25.</summary>
    public ulong MaxAckDelay { get; set; } = 25;

    /// <summary>disable_active_migration. Defaults to false.</summary>
    public bool DisableActiveMigration { get; set; }

    /// <summary>preferred_address (server only) as its raw, validated value; null when absent. We do not migrate.</summary>
    public byte[]? PreferredAddress { get; set; }

    /// <summary>active_connection_id_limit. Defaults to 2.</summary>
    public ulong ActiveConnectionIdLimit { get; set; } = 2;

    /// <summary>initial_source_connection_id; null when absent (only before encoding or decoding).</summary>
    public byte[]? InitialSourceConnectionId { get; set; }

    /// <summary>retry_source_connection_id (server only); null when absent.</summary>
    public byte[]? RetrySourceConnectionId { get; set; }

    /// <summary>The id of one GREASE parameter to send (31·N + 27), or null for none.</summary>
    public ulong? GreaseId { get; set; }

    /// <summary>The value of the GREASE parameter.</summary>
    public byte[] GreaseValue { get; set; } = [];

    /// <summary>
    /// The parameters Aster sends (transport.md, section 5.2): idle 30 s, payload 1472, 16 MiB connection window,
    /// 1,250,000 per stream, 100 streams each way, 5 connection ids, disable_active_migration from a server, and one
    /// random GREASE parameter. A server adds the client's first destination connection id.
    /// </summary>
    public static QuicTransportParameters CreateDefault(
        ReadOnlySpan<byte> initialSourceConnectionId, bool isServer, ReadOnlySpan<byte> originalDestinationConnectionId = default)
    {
        var parameters = new QuicTransportParameters
        {
            MaxIdleTimeout = 30_000,
            MaxUdpPayloadSize = 1472,
            InitialMaxData = 16 * 1024 * 1024,
            InitialMaxStreamDataBidiLocal = 1_250_000,
            InitialMaxStreamDataBidiRemote = 1_250_000,
            InitialMaxStreamDataUni = 1_250_000,
            InitialMaxStreamsBidi = 100,
            InitialMaxStreamsUni = 100,
            ActiveConnectionIdLimit = 5,
            InitialSourceConnectionId = initialSourceConnectionId.ToArray(),
            DisableActiveMigration = isServer,
            GreaseId = (31UL * (ulong)Random.Shared.Next(1, 1 << 20)) + 27,
            GreaseValue = new byte[Random.Shared.Next(0, 17)],
        };
        Random.Shared.NextBytes(parameters.GreaseValue);
        if (isServer)
        {
            parameters.OriginalDestinationConnectionId = originalDestinationConnectionId.ToArray();
        }

        return parameters;
    }

    /// <summary>The encoded size.</summary>
    public int GetEncodedLength()
    {
        var counter = new LengthCounter();
        Visit(ref counter);
        return counter.Length;
    }

    /// <summary>Encodes the parameters into <paramref name="destination"/> and returns the length.</summary>
    public int Encode(Span<byte> destination)
    {
        var sink = new WriterSink(destination);
        Visit(ref sink);
        return sink.Writer.Position;
    }

    /// <summary>Encodes the parameters into a new array.</summary>
    public byte[] Encode()
    {
        byte[] buffer = new byte[GetEncodedLength()];
        Encode(buffer);
        return buffer;
    }

    /// <summary>
    /// Decodes and validates a peer's parameters. <paramref name="sentByServer"/> says which role the peer has.
    /// </summary>
    /// <exception cref="QuicProtocolException">TRANSPORT_PARAMETER_ERROR for any malformed, duplicate, out-of-range or forbidden parameter.</exception>
    public static QuicTransportParameters Decode(ReadOnlySpan<byte> encoded, bool sentByServer)
    {
        if (encoded.Length > MaxEncodedLength)
        {
            QuicErrors.ThrowTransportParameter($"Transport parameters of {encoded.Length} bytes exceed the limit of {MaxEncodedLength}.");
        }

        var result = new QuicTransportParameters();
        var reader = new QuicReader(encoded) { Error = QuicTransportError.TransportParameterError };
        uint seen = 0;
        while (!reader.IsEmpty)
        {
            ulong id = reader.ReadVarint();
            ReadOnlySpan<byte> value = reader.ReadVarintLengthPrefixed(MaxEncodedLength, "transport parameter");
            if (id > (ulong)QuicTransportParameterId.RetrySourceConnectionId)
            {
                continue;
            }

            uint bit = 1u << (int)id;
            if ((seen & bit) != 0)
            {
                QuicErrors.ThrowTransportParameter($"Duplicate transport parameter 0x{id:x}.");
            }

            seen |= bit;
            result.Apply((QuicTransportParameterId)id, value, sentByServer);
        }

        if (result.InitialSourceConnectionId is null)
        {
            QuicErrors.ThrowTransportParameter("initial_source_connection_id is missing.");
        }

        if (sentByServer && result.OriginalDestinationConnectionId is null)
        {
            QuicErrors.ThrowTransportParameter("original_destination_connection_id is missing from the server.");
        }

        return result;
    }

    /// <summary>
    /// Checks the connection ids the peer declared against what was seen on the wire (RFC 9000, section 7.3):
    /// initial_source_connection_id against the peer's first source connection id and, for parameters sent by a server,
    /// original_destination_connection_id against the client's first destination connection id and
    /// retry_source_connection_id against a Retry's source connection id (absent if there was no Retry).
    /// </summary>
    /// <exception cref="QuicProtocolException">TRANSPORT_PARAMETER_ERROR on any mismatch.</exception>
    public void ValidateConnectionIds(
        ReadOnlySpan<byte> observedSourceConnectionId,
        bool sentByServer,
        ReadOnlySpan<byte> clientOriginalDestinationConnectionId = default,
        byte[]? retrySourceConnectionId = null)
    {
        if (InitialSourceConnectionId is null || !observedSourceConnectionId.SequenceEqual(InitialSourceConnectionId))
        {
            QuicErrors.ThrowTransportParameter("initial_source_connection_id does not match the source connection id the peer used.");
        }

        if (!sentByServer)
        {
            return;
        }

        if (OriginalDestinationConnectionId is null || !clientOriginalDestinationConnectionId.SequenceEqual(OriginalDestinationConnectionId))
        {
            QuicErrors.ThrowTransportParameter("original_destination_connection_id does not match our first destination connection id.");
        }

        bool retryMatches = retrySourceConnectionId is null
            ? RetrySourceConnectionId is null
            : RetrySourceConnectionId is not null && retrySourceConnectionId.AsSpan().SequenceEqual(RetrySourceConnectionId);
        if (!retryMatches)
        {
            QuicErrors.ThrowTransportParameter("retry_source_connection_id does not match the Retry we received.");
        }
    }

    private static ulong ReadInteger(ReadOnlySpan<byte> value, QuicTransportParameterId id)
    {
        if (!QuicVarint.TryRead(value, out ulong result, out int length) || length != value.Length)
        {
            QuicErrors.ThrowTransportParameter($"Transport parameter {id} is not a single variable-length integer.");
        }

        return result;
    }

    private static byte[] ReadConnectionId(ReadOnlySpan<byte> value, QuicTransportParameterId id)
    {
        if (value.Length > QuicConstants.MaxConnectionIdLength)
        {
            QuicErrors.ThrowTransportParameter($"Transport parameter {id} holds a connection id longer than 20 bytes.");
        }

        return value.ToArray();
    }

    private void Apply(QuicTransportParameterId id, ReadOnlySpan<byte> value, bool sentByServer)
    {
        if (!sentByServer && id is QuicTransportParameterId.OriginalDestinationConnectionId or QuicTransportParameterId.PreferredAddress
            or QuicTransportParameterId.RetrySourceConnectionId or QuicTransportParameterId.StatelessResetToken)
        {
            QuicErrors.ThrowTransportParameter($"A client may not send transport parameter {id}.");
        }

        switch (id)
        {
            case QuicTransportParameterId.OriginalDestinationConnectionId:
                OriginalDestinationConnectionId = ReadConnectionId(value, id);
                break;
            case QuicTransportParameterId.MaxIdleTimeout:
                MaxIdleTimeout = ReadInteger(value, id);
                break;
            case QuicTransportParameterId.StatelessResetToken:
                if (value.Length != QuicConstants.StatelessResetTokenLength)
                {
                    QuicErrors.ThrowTransportParameter("stateless_reset_token must be 16 bytes.");
                }

                StatelessResetToken = value.ToArray();
                break;
            case QuicTransportParameterId.MaxUdpPayloadSize:
                MaxUdpPayloadSize = ReadInteger(value, id);
                if (MaxUdpPayloadSize < MinUdpPayloadSize)
                {
                    QuicErrors.ThrowTransportParameter($"max_udp_payload_size {MaxUdpPayloadSize} is below 1200.");
                }

                break;
            case QuicTransportParameterId.InitialMaxData:
                InitialMaxData = ReadInteger(value, id);
                break;
            case QuicTransportParameterId.InitialMaxStreamDataBidiLocal:
                InitialMaxStreamDataBidiLocal = ReadInteger(value, id);
                break;
            case QuicTransportParameterId.InitialMaxStreamDataBidiRemote:
                InitialMaxStreamDataBidiRemote = ReadInteger(value, id);
                break;
            case QuicTransportParameterId.InitialMaxStreamDataUni:
                InitialMaxStreamDataUni = ReadInteger(value, id);
                break;
            case QuicTransportParameterId.InitialMaxStreamsBidi:
                InitialMaxStreamsBidi = ReadStreamCount(value, id);
                break;
            case QuicTransportParameterId.InitialMaxStreamsUni:
                InitialMaxStreamsUni = ReadStreamCount(value, id);
                break;
            case QuicTransportParameterId.AckDelayExponent:
                AckDelayExponent = ReadInteger(value, id);
                if (AckDelayExponent > MaxAckDelayExponent)
                {
                    QuicErrors.ThrowTransportParameter($"ack_delay_exponent {AckDelayExponent} exceeds 20.");
                }

                break;
            case QuicTransportParameterId.MaxAckDelay:
                MaxAckDelay = ReadInteger(value, id);
                if (MaxAckDelay >= MaxAckDelayLimit)
                {
                    QuicErrors.ThrowTransportParameter($"max_ack_delay {MaxAckDelay} is not below 2^14.");
                }

                break;
            case QuicTransportParameterId.DisableActiveMigration:
                if (!value.IsEmpty)
                {
                    QuicErrors.ThrowTransportParameter("disable_active_migration must be empty.");
                }

                DisableActiveMigration = true;
                break;
            case QuicTransportParameterId.PreferredAddress:
                int cidLength = value.Length > 24 ? value[24] : -1;
                if (cidLength is < 1 or > QuicConstants.MaxConnectionIdLength || value.Length != PreferredAddressFixedLength + cidLength)
                {
                    QuicErrors.ThrowTransportParameter("preferred_address is malformed.");
                }

                PreferredAddress = value.ToArray();
                break;
            case QuicTransportParameterId.ActiveConnectionIdLimit:
                ActiveConnectionIdLimit = ReadInteger(value, id);
                if (ActiveConnectionIdLimit < 2)
                {
                    QuicErrors.ThrowTransportParameter($"active_connection_id_limit {ActiveConnectionIdLimit} is below 2.");
                }

                break;
            case QuicTransportParameterId.InitialSourceConnectionId:
                InitialSourceConnectionId = ReadConnectionId(value, id);
                break;
            default:
                RetrySourceConnectionId = ReadConnectionId(value, id);
                break;
        }
    }

    private static ulong ReadStreamCount(ReadOnlySpan<byte> value, QuicTransportParameterId id)
    {
        ulong count = ReadInteger(value, id);
        if (count > MaxStreamCount)
        {
            QuicErrors.ThrowTransportParameter($"{id} {count} exceeds 2^60.");
        }

        return count;
    }

    private void Visit<TSink>(ref TSink sink)
        where TSink : struct, IParameterSink, allows ref struct
    {
        if (OriginalDestinationConnectionId is not null)
        {
            sink.Bytes(QuicTransportParameterId.OriginalDestinationConnectionId, OriginalDestinationConnectionId);
        }

        if (MaxIdleTimeout != 0)
        {
            sink.Integer(QuicTransportParameterId.MaxIdleTimeout, MaxIdleTimeout);
        }

        if (StatelessResetToken is not null)
        {
            sink.Bytes(QuicTransportParameterId.StatelessResetToken, StatelessResetToken);
        }

        if (MaxUdpPayloadSize != DefaultMaxUdpPayloadSize)
        {
            sink.Integer(QuicTransportParameterId.MaxUdpPayloadSize, MaxUdpPayloadSize);
        }

        IntegerIfSet(ref sink, QuicTransportParameterId.InitialMaxData, InitialMaxData);
        IntegerIfSet(ref sink, QuicTransportParameterId.InitialMaxStreamDataBidiLocal, InitialMaxStreamDataBidiLocal);
        IntegerIfSet(ref sink, QuicTransportParameterId.InitialMaxStreamDataBidiRemote, InitialMaxStreamDataBidiRemote);
        IntegerIfSet(ref sink, QuicTransportParameterId.InitialMaxStreamDataUni, InitialMaxStreamDataUni);
        IntegerIfSet(ref sink, QuicTransportParameterId.InitialMaxStreamsBidi, InitialMaxStreamsBidi);
        IntegerIfSet(ref sink, QuicTransportParameterId.InitialMaxStreamsUni, InitialMaxStreamsUni);
        if (AckDelayExponent != 3)
        {
            sink.Integer(QuicTransportParameterId.AckDelayExponent, AckDelayExponent);
        }

        if (MaxAckDelay != 25)
        {
            sink.Integer(QuicTransportParameterId.MaxAckDelay, MaxAckDelay);
        }

        if (DisableActiveMigration)
        {
            sink.Bytes(QuicTransportParameterId.DisableActiveMigration, []);
        }

        if (PreferredAddress is not null)
        {
            sink.Bytes(QuicTransportParameterId.PreferredAddress, PreferredAddress);
        }

        if (ActiveConnectionIdLimit != 2)
        {
            sink.Integer(QuicTransportParameterId.ActiveConnectionIdLimit, ActiveConnectionIdLimit);
        }

        if (InitialSourceConnectionId is not null)
        {
            sink.Bytes(QuicTransportParameterId.InitialSourceConnectionId, InitialSourceConnectionId);
        }

        if (RetrySourceConnectionId is not null)
        {
            sink.Bytes(QuicTransportParameterId.RetrySourceConnectionId, RetrySourceConnectionId);
        }

        if (GreaseId is { } grease)
        {
            sink.Bytes((QuicTransportParameterId)grease, GreaseValue);
        }
    }

    private static void IntegerIfSet<TSink>(ref TSink sink, QuicTransportParameterId id, ulong value)
        where TSink : struct, IParameterSink, allows ref struct
    {
        if (value != 0)
        {
            sink.Integer(id, value);
        }
    }

    private interface IParameterSink
    {
        void Integer(QuicTransportParameterId id, ulong value);

        void Bytes(QuicTransportParameterId id, ReadOnlySpan<byte> value);
    }

    private struct LengthCounter : IParameterSink
    {
        public int Length { get; private set; }

        public void Integer(QuicTransportParameterId id, ulong value)
        {
            int valueLength = QuicVarint.GetLength(value);
            Length += QuicVarint.GetLength((ulong)id) + QuicVarint.GetLength((ulong)valueLength) + valueLength;
        }

        public void Bytes(QuicTransportParameterId id, ReadOnlySpan<byte> value) =>
            Length += QuicVarint.GetLength((ulong)id) + QuicVarint.GetLength((ulong)value.Length) + value.Length;
    }

    private ref struct WriterSink : IParameterSink
    {
        public WriterSink(Span<byte> destination)
        {
            Writer = new QuicWriter(destination);
        }

        public QuicWriter Writer;

        public void Integer(QuicTransportParameterId id, ulong value)
        {
            Writer.WriteVarint((ulong)id);
            Writer.WriteVarint((ulong)QuicVarint.GetLength(value));
            Writer.WriteVarint(value);
        }

        public void Bytes(QuicTransportParameterId id, ReadOnlySpan<byte> value)
        {
            Writer.WriteVarint((ulong)id);
            Writer.WriteVarint((ulong)value.Length);
            Writer.WriteBytes(value);
        }
    }
}
