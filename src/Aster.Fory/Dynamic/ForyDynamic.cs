using System.Buffers;
using Aster.Fory.IO;
using Aster.Fory.Serialization;

namespace Aster.Fory.Dynamic;

/// <summary>
/// Schema-less reading and writing: any XLANG message to a <see cref="ForyValue"/> tree with its type names and field
/// names, and back. Used by the dynamic client and the CLI.
/// </summary>
public static class ForyDynamic
{
    /// <summary>Reads one message into a value tree.</summary>
    /// <exception cref="ForyDecodeException">The message is malformed or exceeds a limit.</exception>
    public static ForyValue Read(ReadOnlySpan<byte> message, ForyOptions? options = null) =>
        ReadMessage(message, options ?? ForyOptions.Default, schemas: null);

    /// <summary>
    /// Reads one schema-consistent message (B12, the dialect of release 0.1.2 peers) into a value tree. Such a message
    /// names its records but carries neither field names nor field types: each record's layout comes from
    /// <paramref name="schemas"/>, found by namespace and type name and checked against the schema hash on the wire.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="schemas">The record layouts, for example <see cref="ForySchemaSet.From(ForySerializer)"/>.</param>
    /// <param name="options">Limits; <see cref="ForyOptions.SchemaConsistent"/> must be set (default <see cref="ForyOptions.Release012"/>).</param>
    /// <exception cref="ForyDecodeException">The message is malformed, exceeds a limit, names a record the set lacks, or its schema hash differs.</exception>
    public static ForyValue Read(ReadOnlySpan<byte> message, ForySchemaSet schemas, ForyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schemas);
        ForyOptions o = options ?? ForyOptions.Release012;
        if (!o.SchemaConsistent)
        {
            throw new ArgumentException("schema-consistent reading needs options with SchemaConsistent set", nameof(options));
        }

        return ReadMessage(message, o, schemas);
    }

    /// <summary>Reads one message held in a sequence.</summary>
    /// <exception cref="ForyDecodeException">The message is malformed or exceeds a limit.</exception>
    public static ForyValue Read(in ReadOnlySequence<byte> message, ForyOptions? options = null)
    {
        ForyOptions o = options ?? ForyOptions.Default;
        if (message.IsSingleSegment)
        {
            return Read(message.FirstSpan, o);
        }

        if (message.Length > o.MaxMessageBytes)
        {
            throw new ForyDecodeException($"message of {message.Length} bytes exceeds the limit {o.MaxMessageBytes}", limit: "MaxMessageBytes");
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent((int)message.Length);
        try
        {
            message.CopyTo(rented);
            return Read(rented.AsSpan(0, (int)message.Length), o);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Writes a value tree as one message (compatible mode).</summary>
    /// <exception cref="ForyEncodeException">The tree holds a value that does not fit its declared field type.</exception>
    /// <exception cref="NotSupportedException"><paramref name="options"/> ask for schema-consistent mode, which the value-tree writer does not write.</exception>
    public static void Write(ForyValue value, IBufferWriter<byte> output, ForyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(output);
        if (options is { SchemaConsistent: true })
        {
            throw new NotSupportedException("the value-tree writer writes compatible mode only; write schema-consistent messages with a ForySerializer");
        }

        WriteContext ctx = WriteContext.Rent(options ?? ForyOptions.Default);
        try
        {
            ForyWriter w = new(output, ctx.Options.Dialect, ctx.Options.MaxDepth);
            try
            {
                DynamicWriter.WriteMessage(ref w, ctx, value);
            }
            catch (OverflowException e)
            {
                throw new ForyEncodeException("an integer does not fit its field type", inner: e);
            }

            w.Flush();
        }
        finally
        {
            WriteContext.Return(ctx);
        }
    }

    /// <summary>Writes a value tree as one message and returns the bytes.</summary>
    public static byte[] Write(ForyValue value, ForyOptions? options = null)
    {
        ArrayBufferWriter<byte> buffer = new(256);
        Write(value, buffer, options);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one message with a rented context; <paramref name="schemas"/> resolves schema-consistent records.</summary>
    private static ForyValue ReadMessage(ReadOnlySpan<byte> message, ForyOptions options, ForySchemaSet? schemas)
    {
        ReadContext ctx = ReadContext.Rent(options, null);
        ctx.Schemas = schemas;
        try
        {
            ForyReader r = new(message);
            return DynamicReader.ReadMessage(ref r, ctx);
        }
        finally
        {
            ReadContext.Return(ctx);
        }
    }
}
