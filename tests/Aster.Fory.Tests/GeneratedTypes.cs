#pragma warning disable CA1002, CA2227, CA1819
using Aster.Fory;

namespace Aster.Fory.Tests.Generated;

public enum Mood
{
    Calm,
    Busy,
}

/// <summary>Every member kind the generator specialises (plain and nullable), and fallback kinds beside them.</summary>
[WireType("gen/Flat")]
public sealed class Flat
{
    public bool B { get; set; }
    public sbyte I8 { get; set; }
    public byte U8 { get; set; }
    public short I16 { get; set; }
    public ushort U16 { get; set; }
    public int I32 { get; set; }
    [FixedWidth] public int F32 { get; set; }
    public uint U32 { get; set; }
    [FixedWidth] public uint FU32 { get; set; }
    public long I64 { get; set; }
    [FixedWidth] public long F64 { get; set; }
    public ulong U64 { get; set; }
    [FixedWidth] public ulong FU64 { get; set; }
    public float R32 { get; set; }
    public double R64 { get; set; }
    public string S { get; set; } = "";
    public string? NS { get; set; }
    public int? NI { get; set; }
    [FixedWidth] public long? NF64 { get; set; }
    public bool? NB { get; set; }
    public double? ND { get; set; }
    public Mood M { get; set; }
    public Mood? NM { get; set; }
    public List<string> L { get; set; } = [];
    public Dictionary<string, int>? D { get; set; }
    public byte[] Bin { get; set; } = [];
    public Guid G { get; set; }
    [WireName("renamed_text")] public string Text { get; init; } = "";
}

/// <summary>A positional record with an extra init-only member: the reader calls the primary constructor and an initializer.</summary>
[WireType("gen/Positional")]
public sealed record Positional(string Name, int Count, string? Note)
{
    public long Extra { get; init; }
}

[WireType("gen/Pair")]
public readonly record struct Pair(int A, string B);

/// <summary>A private setter: generated writer, runtime reader (ASTERFORY002).</summary>
[WireType("gen/PrivateSetter")]
public sealed class PrivateSetter
{
    public PrivateSetter(string name)
    {
        Name = name;
    }

    public string Name { get; private set; }
}

/// <summary>Used only by the test that registers a disagreeing generated serializer.</summary>
[WireType("gen/Guarded")]
public sealed record Guarded(string Name);
