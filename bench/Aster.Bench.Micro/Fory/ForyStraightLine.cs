using System.Buffers;
using Aster.Fory;
using Aster.Fory.IO;

namespace Aster.Bench.Micro.Fory;

/// <summary>
/// The Hello message written and read by hand-written straight-line code over the same <see cref="ForyWriter"/> and
/// <see cref="ForyReader"/>: the code a source generator would emit (constant prefix, one string, a constructor call),
/// with no codec dispatch, no depth bookkeeping and no per-message context. Its time is the floor a generated
/// serializer behind <see cref="ForySerializer"/> can approach (docs/fory.md, "Source generator").
/// </summary>
internal sealed class ForyStraightLine
{
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly HelloRequest _hello = Samples.Hello();
    private readonly byte[] _message;
    private readonly byte[] _prefix;

    public ForyStraightLine()
    {
        _message = new ForySerializer().Register<HelloRequest>().Serialize(_hello);
        _prefix = _message[..^(1 + _hello.Name.Length)];
    }

    public int EncodeHello()
    {
        _buffer.ResetWrittenCount();
        ForyWriter w = new(_buffer);
        w.WriteBytes(_prefix);
        w.WriteString(_hello.Name);
        w.Flush();
        return _buffer.WrittenCount;
    }

    public HelloRequest DecodeHello()
    {
        ForyReader r = new(_message);
        if (!r.ReadSpan(_prefix.Length).SequenceEqual(_prefix))
        {
            throw new ForyDecodeException("not a HelloRequest");
        }

        HelloRequest value = new(r.ReadString(ForyOptions.Default.MaxStringBytes));
        return r.Remaining == 0 ? value : throw new ForyDecodeException("trailing bytes");
    }
}
