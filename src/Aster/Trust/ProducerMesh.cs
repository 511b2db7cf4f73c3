using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Aster.Net.Crypto;

namespace Aster.Trust;

/// <summary>Producer-mesh topic derivation (trust.md 9.2).</summary>
public static class GossipTopic
{
    /// <summary>The ASCII domain label between root key and salt.</summary>
    public const string Label = "aster-producer-mesh";

    /// <summary>topic = BLAKE3(root_pubkey ‖ "aster-producer-mesh" ‖ salt).</summary>
    /// <param name="rootPublicKey">32 bytes.</param>
    /// <param name="salt">32 bytes.</param>
    /// <returns>The 32-byte topic id.</returns>
    public static byte[] Derive(ReadOnlySpan<byte> rootPublicKey, ReadOnlySpan<byte> salt)
    {
        if (rootPublicKey.Length != 32 || salt.Length != 32)
        {
            throw new ArgumentException("root public key and salt must be 32 bytes each");
        }

        byte[] input = new byte[32 + Label.Length + 32];
        rootPublicKey.CopyTo(input);
        Encoding.ASCII.GetBytes(Label, input.AsSpan(32));
        salt.CopyTo(input.AsSpan(32 + Label.Length));
        return Blake3.Hash(input);
    }
}

/// <summary>Producer-mesh message types (trust.md 9.5).</summary>
public enum ProducerMessageType : byte
{
    /// <summary>A member introduces itself with its producer credential.</summary>
    Introduce = 1,

    /// <summary>A member leaves voluntarily.</summary>
    Depart = 2,

    /// <summary>A contract was published.</summary>
    ContractPublished = 3,

    /// <summary>A lease heartbeat or health transition.</summary>
    LeaseUpdate = 4,
}

/// <summary>
/// A signed producer-mesh message (trust.md 9.5), signed by the sender's node key; verifiers use the hex-decoded
/// <c>sender</c> as the public key.
/// </summary>
public sealed class ProducerMessage
{
    /// <summary>The largest envelope and decoded payload accepted (64 KiB).</summary>
    public const int MaxSize = 64 * 1024;

    private const string What = "mesh message";
    private readonly byte[] _payload;
    private readonly byte[] _signature;

    /// <summary>Creates a message from its fields.</summary>
    /// <param name="type">The type byte.</param>
    /// <param name="payload">The payload bytes.</param>
    /// <param name="sender">The sender's endpoint id text.</param>
    /// <param name="epochMs">The sender's wall clock, Unix milliseconds.</param>
    /// <param name="signature">64 bytes.</param>
    public ProducerMessage(byte type, ReadOnlySpan<byte> payload, string sender, ulong epochMs, ReadOnlySpan<byte> signature)
    {
        ArgumentNullException.ThrowIfNull(sender);
        if (signature.Length != Ed25519.SignatureSize)
        {
            throw new TrustFormatException($"{What}: 'signature' must be 64 bytes");
        }

        Type = type;
        _payload = payload.ToArray();
        Sender = sender;
        EpochMs = epochMs;
        _signature = signature.ToArray();
    }

    /// <summary>The type byte.</summary>
    public byte Type { get; }

    /// <summary>The payload bytes.</summary>
    public ReadOnlySpan<byte> Payload => _payload;

    /// <summary>The sender's endpoint id (64 lowercase hex for a valid message).</summary>
    public string Sender { get; }

    /// <summary>The sender's clock, Unix milliseconds.</summary>
    public ulong EpochMs { get; }

    /// <summary>The 64-byte signature.</summary>
    public ReadOnlySpan<byte> Signature => _signature;

    /// <summary>type ‖ payload ‖ sender (UTF-8) ‖ epoch_ms (u64 BE).</summary>
    /// <param name="type">The type byte.</param>
    /// <param name="payload">The payload.</param>
    /// <param name="sender">The sender text.</param>
    /// <param name="epochMs">Unix milliseconds.</param>
    /// <returns>The signing bytes.</returns>
    public static byte[] SigningBytes(byte type, ReadOnlySpan<byte> payload, string sender, ulong epochMs)
    {
        ArgumentNullException.ThrowIfNull(sender);
        byte[] s = Encoding.UTF8.GetBytes(sender);
        byte[] result = new byte[1 + payload.Length + s.Length + 8];
        result[0] = type;
        payload.CopyTo(result.AsSpan(1));
        s.CopyTo(result, 1 + payload.Length);
        BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(1 + payload.Length + s.Length), epochMs);
        return result;
    }

    /// <summary>Signs a message with the sender's node key; <c>sender</c> is the key's public half as hex.</summary>
    /// <param name="nodeKey">The node signing key.</param>
    /// <param name="type">The type byte.</param>
    /// <param name="payload">The payload.</param>
    /// <param name="epochMs">Unix milliseconds.</param>
    /// <returns>The signed message.</returns>
    public static ProducerMessage Sign(Ed25519SigningKey nodeKey, byte type, ReadOnlySpan<byte> payload, ulong epochMs)
    {
        ArgumentNullException.ThrowIfNull(nodeKey);
        string sender = Convert.ToHexStringLower(nodeKey.PublicKey);
        byte[] signature = nodeKey.Sign(SigningBytes(type, payload, sender, epochMs));
        return new ProducerMessage(type, payload, sender, epochMs, signature);
    }

    /// <summary>The signing bytes of this message.</summary>
    /// <returns>A new array.</returns>
    public byte[] GetSigningBytes() => SigningBytes(Type, _payload, Sender, EpochMs);

    /// <summary>Strictly verifies the signature under the key named by <see cref="Sender"/>.</summary>
    /// <returns>False when the sender is not 64 lowercase hex or the signature is invalid.</returns>
    public bool VerifySignature()
        => TrustJson.IsLowerHex64(Sender) && Ed25519.Verify(Convert.FromHexString(Sender), GetSigningBytes(), _signature);

    /// <summary>The compact gossip envelope: type, payload (hex), sender, epoch_ms, signature (hex).</summary>
    /// <returns>UTF-8 JSON.</returns>
    public byte[] ToEnvelopeJson() => PythonJson.Compact(w =>
    {
        w.WriteStartObject();
        w.WritePropertyName("type");
        w.WriteNumber((long)Type);
        w.WritePropertyName("payload");
        w.WriteString(Convert.ToHexStringLower(_payload));
        w.WritePropertyName("sender");
        w.WriteString(Sender);
        w.WritePropertyName("epoch_ms");
        w.WriteNumber(EpochMs);
        w.WritePropertyName("signature");
        w.WriteString(Convert.ToHexStringLower(_signature));
        w.WriteEndObject();
    });

    /// <summary>
    /// Parses an envelope strictly (trust.md 9.6 step 1): at most 64 KiB, sender 64 lowercase hex, payload even-length
    /// hex decoding to at most 64 KiB, type 0..255, signature 64 bytes.
    /// </summary>
    /// <param name="utf8Json">The envelope.</param>
    /// <returns>The message (signature not checked).</returns>
    /// <exception cref="TrustFormatException">Malformed.</exception>
    public static ProducerMessage ParseEnvelope(ReadOnlySpan<byte> utf8Json)
    {
        using JsonDocument doc = TrustJson.Parse(utf8Json, What);
        JsonElement root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new TrustFormatException($"{What} is not a JSON object");
        }

        ulong type = TrustJson.GetUInt64(Required(root, "type"), "type", What);
        if (type > byte.MaxValue)
        {
            throw new TrustFormatException($"{What}: 'type' is out of range");
        }

        string payloadHex = TrustJson.GetString(Required(root, "payload"), "payload", What);
        if (payloadHex.Length % 2 != 0 || payloadHex.Length / 2 > MaxSize)
        {
            throw new TrustFormatException($"{What}: 'payload' has a bad length");
        }

        byte[] payload = TrustJson.DecodeHex(payloadHex, "payload", payloadHex.Length / 2, What);
        string sender = TrustJson.GetString(Required(root, "sender"), "sender", What);
        if (!TrustJson.IsLowerHex64(sender))
        {
            throw new TrustFormatException($"{What}: 'sender' must be 64 lowercase hex characters");
        }

        ulong epoch = TrustJson.GetUInt64(Required(root, "epoch_ms"), "epoch_ms", What);
        byte[] signature = TrustJson.GetHex(Required(root, "signature"), "signature", 64, What);
        return new ProducerMessage((byte)type, payload, sender, epoch, signature);
    }

    private static JsonElement Required(JsonElement e, string key)
        => e.TryGetProperty(key, out JsonElement v) ? v : throw new TrustFormatException($"{What}: '{key}' is missing");
}
