using Customers.Abstractions.Errors;
using Npgsql;
using Orleans.Storage;

namespace Customers.Grains.Storage;

/// <summary>A grain that keeps facts in its state's memory beyond what is stored, to re-apply after a re-read.</summary>
internal interface IDerivesFromState
{
    void StateReloaded();
}

internal static class PersistentStateExtensions
{
    /// <summary>
    /// Writes the state and turns storage failures into <see cref="CustomersException"/>s that cross silos intact.
    /// After a failed write the in-memory state still holds the unsaved change, so it is re-read; if even that
    /// fails the grain deactivates and the next call loads from the database.
    /// </summary>
    public static async Task WriteOrThrowAsync<T>(this IPersistentState<T> state, Grain grain)
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception error)
        {
            await RestoreAsync(state, grain);
            throw Translate(error);
        }
    }

    /// <summary>Clears the state (deleting the row and, through the trigger, its read model).</summary>
    public static async Task ClearOrThrowAsync<T>(this IPersistentState<T> state, Grain grain)
    {
        try
        {
            await state.ClearStateAsync();
        }
        catch (Exception error)
        {
            await RestoreAsync(state, grain);
            throw Translate(error);
        }
    }

    private static async Task RestoreAsync<T>(IPersistentState<T> state, Grain grain)
    {
        try
        {
            await state.ReadStateAsync();
            (grain as IDerivesFromState)?.StateReloaded();
        }
        catch (Exception)
        {
            grain.DeactivateOnIdle();
        }
    }

    internal static CustomersException Translate(Exception error)
    {
        for (var current = error; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case CustomersException known:
                    return known;
                case InconsistentStateException:
                    return new CustomersException(ErrorKind.Conflict,
                        "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.");
                case PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } unique:
                    // The read-model trigger words the message the way Medusa's data layer does.
                    return new CustomersException(ErrorKind.UniqueViolation, unique.MessageText);
            }
        }

        return new CustomersException(ErrorKind.StorageUnavailable, "The change could not be stored. Please retry the request.");
    }
}
