namespace Aster.Framing;

/// <summary>The flag byte of an Aster frame (wire-protocol.md, section 4.2). Flags combine by OR.</summary>
[Flags]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "The wire protocol calls this byte the flags.")]
public enum FrameFlags : byte
{
    /// <summary>A plain data frame.</summary>
    None = 0,

    /// <summary>The payload is one zstd frame.</summary>
    Compressed = 0x01,

    /// <summary>The payload is an RpcStatus and ends the call; an empty payload means OK.</summary>
    Trailer = 0x02,

    /// <summary>The payload is a StreamHeader; the first frame of every call.</summary>
    Header = 0x04,

    /// <summary>Fory row-schema frame: never sent, skipped on receipt.</summary>
    RowSchema = 0x08,

    /// <summary>CallHeader frame of the release 0.1.2 session protocol.</summary>
    Call = 0x10,

    /// <summary>Cancels the call in progress on this stream; empty payload.</summary>
    Cancel = 0x20,

    /// <summary>The last request frame of a call; alone with an empty payload it means "no more requests".</summary>
    EndStream = 0x40,

    /// <summary>Reserved: written as 0, ignored on input.</summary>
    Reserved = 0x80,
}
