namespace Customers.Abstractions;

/// <summary>
/// A patch field: <see cref="IsSet"/> false means "leave unchanged"; set with a null <see cref="Value"/> means "clear".
/// Medusa's partial updates need both, so a plain nullable is not enough.
/// </summary>
[GenerateSerializer]
[Alias("customers.optional`1")]
public readonly record struct Optional<T>([property: Id(0)] bool IsSet, [property: Id(1)] T? Value)
{
    /// <summary>A field that was not sent.</summary>
    public static Optional<T> Unset => default;

    /// <summary>A field that was sent with the given value (null clears it).</summary>
    public static Optional<T> Of(T? value) => new(true, value);

    /// <summary>The new value when set, otherwise <paramref name="current"/>.</summary>
    public T? Or(T? current) => IsSet ? Value : current;
}
