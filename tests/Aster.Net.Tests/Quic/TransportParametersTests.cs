using Aster.Net.Quic;
using Aster.Net.Quic.Parameters;
using Aster.Testing;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic;

public sealed class TransportParametersTests
{
    private const string Scid = "1112131415161718";
    private const string Odcid = "0102030405060708090a0b0c0d0e0f1011121314";
    private const string ResetToken = "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf";

    // transport.md 5.1: what iroh 0.97 sends, with its extension parameters and one GREASE parameter.
    private const string IrohCommon =
        "0104800075300302" + "45c0" + "0408ffffffffffffffff" + "0504801312d0" + "0604801312d0" + "0704801312d0"
        + "08024064" + "09024064" + "0e0105" + "0f08" + Scid
        + "20048000ffff" + "3e010c" + "c0003d7f91120401" + "010c" + "c0000000ff04de1b" + "0243e8" + "40b603aabbcc";

    [Fact]
    public void Decode_IrohServerParameters_ReadsEveryKnownValueAndSkipsExtensions()
    {
        byte[] encoded = Hex.Decode("0014" + Odcid + "0210" + ResetToken + IrohCommon);

        QuicTransportParameters p = QuicTransportParameters.Decode(encoded, sentByServer: true);

        Assert.Equal(30_000UL, p.MaxIdleTimeout);
        Assert.Equal(1472UL, p.MaxUdpPayloadSize);
        Assert.Equal(QuicVarint.MaxValue, p.InitialMaxData);
        Assert.Equal(1_250_000UL, p.InitialMaxStreamDataBidiLocal);
        Assert.Equal(1_250_000UL, p.InitialMaxStreamDataBidiRemote);
        Assert.Equal(1_250_000UL, p.InitialMaxStreamDataUni);
        Assert.Equal(100UL, p.InitialMaxStreamsBidi);
        Assert.Equal(100UL, p.InitialMaxStreamsUni);
        Assert.Equal(5UL, p.ActiveConnectionIdLimit);
        Assert.Equal(3UL, p.AckDelayExponent);
        Assert.Equal(25UL, p.MaxAckDelay);
        Assert.Equal(Scid, Hex.Encode(p.InitialSourceConnectionId));
        Assert.Equal(Odcid, Hex.Encode(p.OriginalDestinationConnectionId));
        Assert.Equal(ResetToken, Hex.Encode(p.StatelessResetToken));
        p.ValidateConnectionIds(Hex.Decode(Scid), sentByServer: true, Hex.Decode(Odcid));
    }

    [Fact]
    public void Decode_IrohClientParameters_Succeeds()
    {
        QuicTransportParameters p = QuicTransportParameters.Decode(Hex.Decode(IrohCommon), sentByServer: false);
        Assert.Null(p.OriginalDestinationConnectionId);
        p.ValidateConnectionIds(Hex.Decode(Scid), sentByServer: false);
    }

    [Fact]
    public void CreateDefault_Client_EncodesAsTransportSpecSays()
    {
        QuicTransportParameters ours = QuicTransportParameters.CreateDefault(Hex.Decode(Scid), isServer: false);
        ours.GreaseId = null;
        string hex = Hex.Encode(ours.Encode());
        Assert.Equal(
            "010480007530" + "030245c0" + "040481000000" + "0504801312d0" + "0604801312d0" + "0704801312d0"
            + "08024064" + "09024064" + "0e0105" + "0f08" + Scid,
            hex);
    }

    [Fact]
    public void CreateDefault_ServerWithGrease_RoundTrips()
    {
        QuicTransportParameters ours = QuicTransportParameters.CreateDefault(Hex.Decode(Scid), isServer: true, Hex.Decode(Odcid));
        ours.StatelessResetToken = Hex.Decode(ResetToken);
        byte[] encoded = ours.Encode();
        Assert.Equal(ours.GetEncodedLength(), encoded.Length);
        Assert.Equal(0UL, (ours.GreaseId!.Value - 27) % 31);

        QuicTransportParameters decoded = QuicTransportParameters.Decode(encoded, sentByServer: true);
        Assert.True(decoded.DisableActiveMigration);
        Assert.Equal(Odcid, Hex.Encode(decoded.OriginalDestinationConnectionId));
        Assert.Equal(16UL * 1024 * 1024, decoded.InitialMaxData);
        Assert.Equal(ResetToken, Hex.Encode(decoded.StatelessResetToken));
    }

    [Theory]
    [InlineData("0f00" + "0f00")] // duplicate
    [InlineData("0f00" + "0a0115")] // ack_delay_exponent 21
    [InlineData("0f00" + "0b028000")] // declared length 2, but a 4-byte varint prefix
    [InlineData("0f00" + "0b04" + "80004000")] // max_ack_delay 2^14
    [InlineData("0f00" + "0e0101")] // active_connection_id_limit 1
    [InlineData("0f00" + "030244af")] // max_udp_payload_size 1199
    [InlineData("0f00" + "0808d000000000000001")] // initial_max_streams_bidi beyond 2^60
    [InlineData("0f00" + "010440000001")] // integer with a declared length different from its encoding
    [InlineData("0f00" + "0c0100")] // disable_active_migration with a value
    [InlineData("0f15" + "000000000000000000000000000000000000000000")] // 21-byte connection id
    [InlineData("0f00" + "0005aa")] // length beyond the block
    [InlineData("")] // initial_source_connection_id missing
    [InlineData("0f00" + "0000")] // original_destination_connection_id from a client
    [InlineData("0f00" + "020400000000")] // stateless_reset_token from a client
    [InlineData("0f00" + "1000")] // retry_source_connection_id from a client
    public void Decode_InvalidFromClient_ThrowsTransportParameterError(string hex)
    {
        var ex = Assert.Throws<QuicProtocolException>(() => QuicTransportParameters.Decode(Hex.Decode(hex), sentByServer: false));
        Assert.Equal(QuicTransportError.TransportParameterError, ex.Error);
    }

    [Theory]
    [InlineData("0f00" + "0000" + "020401020304")] // reset token not 16 bytes
    [InlineData("0f00")] // original_destination_connection_id missing
    [InlineData("0f00" + "0000" + "0d03010203")] // malformed preferred_address
    public void Decode_InvalidFromServer_ThrowsTransportParameterError(string hex)
    {
        var ex = Assert.Throws<QuicProtocolException>(() => QuicTransportParameters.Decode(Hex.Decode(hex), sentByServer: true));
        Assert.Equal(QuicTransportError.TransportParameterError, ex.Error);
    }

    [Fact]
    public void ValidateConnectionIds_Mismatch_ThrowsTransportParameterError()
    {
        QuicTransportParameters p = QuicTransportParameters.Decode(Hex.Decode("0014" + Odcid + IrohCommon), sentByServer: true);
        Assert.Throws<QuicProtocolException>(() => p.ValidateConnectionIds(Hex.Decode("1112131415161719"), true, Hex.Decode(Odcid)));
        Assert.Throws<QuicProtocolException>(() => p.ValidateConnectionIds(Hex.Decode(Scid), true, Hex.Decode("0102")));
        Assert.Throws<QuicProtocolException>(() => p.ValidateConnectionIds(Hex.Decode(Scid), true, Hex.Decode(Odcid), [1, 2, 3]));
    }

    [Fact]
    public void Decode_RandomBytes_ThrowsOnlyQuicProtocolException()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(ArbMap.Default.ArbFor<int>(), seed =>
        {
            var random = new Random(seed);
            byte[] bytes = new byte[random.Next(0, 48)];
            random.NextBytes(bytes);
            for (int i = 0; i < bytes.Length; i += 2 + random.Next(6))
            {
                bytes[i] = (byte)random.Next(0x12);
            }

            try
            {
                QuicTransportParameters.Decode(bytes, (seed & 1) != 0);
            }
            catch (QuicProtocolException ex) when (ex.Error == QuicTransportError.TransportParameterError)
            {
            }

            return true;
        }));
    }
}
