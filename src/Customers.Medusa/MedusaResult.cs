using System.Diagnostics.CodeAnalysis;

namespace Customers.Medusa;

/// <summary>Either a value or the <see cref="MedusaError"/> to answer with. No exceptions on the request path.</summary>
public readonly struct MedusaResult<T>
    where T : notnull
{
    private readonly T? _value;

    private MedusaResult(T? value, MedusaError? error)
    {
        _value = value;
        Error = error;
    }

    /// <summary>The error, or null on success.</summary>
    public MedusaError? Error { get; }

    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when this is an error (a programming mistake, not a client error).</summary>
    public T Value => Error is null ? _value! : throw new InvalidOperationException($"No value: {Error.Message}");

    public static MedusaResult<T> Success(T value) => new(value, null);

    public static MedusaResult<T> Failure(MedusaError error) => new(default, error);

    public static implicit operator MedusaResult<T>(T value) => Success(value);

    public static implicit operator MedusaResult<T>(MedusaError error) => Failure(error);

    /// <summary><c>if (!result.TryGetValue(out var value, out var error)) return error.ToResult();</c></summary>
    public bool TryGetValue([MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out MedusaError? error)
    {
        value = _value;
        error = Error;
        return error is null;
    }
}
