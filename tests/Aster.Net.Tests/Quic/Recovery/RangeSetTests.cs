using Aster.Net.Quic.Recovery;
using FsCheck;
using FsCheck.Fluent;

namespace Aster.Net.Tests.Quic.Recovery;

public sealed class RangeSetTests
{
    [Fact]
    public void Add_AdjacentAndOverlapping_MergesIntoOneRange()
    {
        var set = new RangeSet();
        Assert.True(set.Add(5, 10));
        Assert.True(set.Add(10, 12));
        Assert.True(set.Add(0, 3));
        Assert.True(set.Add(2, 6));
        Assert.Equal(1, set.Count);
        Assert.Equal(new ValueRange(0, 12), set[0]);
        Assert.False(set.Add(3, 7));
    }

    [Fact]
    public void Add_BridgingSeveralRanges_MergesAll()
    {
        var set = new RangeSet();
        set.Add(0, 2);
        set.Add(4, 6);
        set.Add(8, 10);
        set.Add(20, 30);
        Assert.True(set.Add(1, 9));
        Assert.Equal("[0,10),[20,30)", set.ToString());
    }

    [Fact]
    public void Remove_Middle_SplitsRange()
    {
        var set = new RangeSet();
        set.Add(0, 10);
        Assert.True(set.Remove(3, 5));
        Assert.Equal("[0,3),[5,10)", set.ToString());
        Assert.False(set.Contains(3));
        Assert.True(set.Contains(5));
        Assert.True(set.Remove(0, 100));
        Assert.True(set.IsEmpty);
    }

    [Fact]
    public void Descending_ListsHighestFirst()
    {
        var set = new RangeSet();
        set.Add(1);
        set.Add(5);
        set.Add(6);
        set.Add(9);
        var seen = new List<ValueRange>();
        foreach (ValueRange r in set.Descending())
        {
            seen.Add(r);
        }

        Assert.Equal([new ValueRange(9, 10), new ValueRange(5, 7), new ValueRange(1, 2)], seen);
        Span<ValueRange> two = stackalloc ValueRange[2];
        Assert.Equal(2, set.CopyDescending(two));
        Assert.Equal(new ValueRange(5, 7), two[1]);
    }

    [Fact]
    public void Add_BeyondMaxRanges_DropsLowestRanges()
    {
        var set = new RangeSet(maxRanges: 3);
        for (ulong i = 0; i < 10; i += 2)
        {
            set.Add(i);
        }

        Assert.Equal(3, set.Count);
        Assert.Equal(4UL, set.Min);
        Assert.Equal(8UL, set.Max);
    }

    [Fact]
    public void ContainsRange_PartialAndWhole_Answers()
    {
        var set = new RangeSet();
        set.Add(10, 20);
        Assert.True(set.ContainsRange(10, 20));
        Assert.True(set.ContainsRange(12, 13));
        Assert.False(set.ContainsRange(9, 12));
        Assert.False(set.ContainsRange(19, 21));
        Assert.True(set.ContainsRange(30, 30));
        Assert.True(set.TryGetRange(15, out ValueRange r));
        Assert.Equal(new ValueRange(10, 20), r);
    }

    [Fact]
    public void AddRemove_RandomOperations_AgreeWithSortedSetModel()
    {
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300);
        Check.One(config, Prop.ForAll(ArbMap.Default.ArbFor<int[]>(), ops =>
        {
            var set = new RangeSet();
            var model = new SortedSet<ulong>();
            foreach (int op in ops)
            {
                ulong start = (ulong)((op >> 1) & 127);
                ulong len = (ulong)((op >> 8) & 15);
                if ((op & 1) == 0)
                {
                    bool expectAdded = false;
                    for (ulong v = start; v < start + len; v++)
                    {
                        expectAdded |= model.Add(v);
                    }

                    if (set.Add(start, start + len) != expectAdded)
                    {
                        return false;
                    }
                }
                else
                {
                    bool expectRemoved = false;
                    for (ulong v = start; v < start + len; v++)
                    {
                        expectRemoved |= model.Remove(v);
                    }

                    if (set.Remove(start, start + len) != expectRemoved)
                    {
                        return false;
                    }
                }

                if (!Agrees(set, model))
                {
                    return false;
                }
            }

            return true;
        }));
    }

    private static bool Agrees(RangeSet set, SortedSet<ulong> model)
    {
        var values = new List<ulong>();
        for (int i = 0; i < set.Count; i++)
        {
            ValueRange r = set[i];
            if (r.Start >= r.End || (i > 0 && set[i - 1].End >= r.Start))
            {
                return false;
            }

            for (ulong v = r.Start; v < r.End; v++)
            {
                values.Add(v);
            }
        }

        if (!values.SequenceEqual(model))
        {
            return false;
        }

        for (ulong v = 0; v < 150; v++)
        {
            if (set.Contains(v) != model.Contains(v))
            {
                return false;
            }
        }

        return true;
    }
}
