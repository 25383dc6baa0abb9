using Imago.Storage.Nbd;

namespace Imago.Storage.Tests.Review;

public sealed class MemoryBudgetTests
{
    [Fact]
    public async Task Waiters_are_granted_in_order_and_a_cancelled_one_leaves_the_queue()
    {
        var budget = new MemoryBudget(100);
        await budget.AcquireAsync(80, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var big = budget.AcquireAsync(50, cancel.Token).AsTask();
        var small = budget.AcquireAsync(10, CancellationToken.None).AsTask(); // would fit, but queues behind big
        Assert.False(small.IsCompleted);
        Assert.Equal(2, budget.Waiting);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => big);
        await small; // the head left, so the one behind it fits now
        Assert.Equal(0, budget.Waiting);

        budget.Release(80);
        budget.Release(10);
        var huge = budget.AcquireAsync(500, CancellationToken.None); // larger than the budget: runs alone
        Assert.True(huge.IsCompleted);
    }
}
