using System.Collections;
using System.Collections.Immutable;

namespace Totem.Protocol.Wire;

/// <summary>An immutable list with structural equality, so message records compare by content.</summary>
public readonly struct ValueList<T> : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    private readonly ImmutableArray<T> _items;

    public ValueList(ImmutableArray<T> items) => _items = items.IsDefault ? ImmutableArray<T>.Empty : items;
    public ValueList(IEnumerable<T> items) => _items = items.ToImmutableArray();

    public static ValueList<T> Empty => new(ImmutableArray<T>.Empty);

    public ImmutableArray<T> Items => _items.IsDefault ? ImmutableArray<T>.Empty : _items;
    public int Count => Items.Length;
    public T this[int index] => Items[index];

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ValueList<T> other) => Items.SequenceEqual(other.Items);
    public override bool Equals(object? obj) => obj is ValueList<T> other && Equals(other);
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items) hash.Add(item);
        return hash.ToHashCode();
    }
    public static bool operator ==(ValueList<T> a, ValueList<T> b) => a.Equals(b);
    public static bool operator !=(ValueList<T> a, ValueList<T> b) => !a.Equals(b);
    public override string ToString() => string.Join(" ", Items);
}

public static class ValueList
{
    public static ValueList<T> Of<T>(params T[] items) => new(ImmutableArray.Create(items));
    public static ValueList<T> ToValueList<T>(this IEnumerable<T> items) => new(items);
}
