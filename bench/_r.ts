console.log(process.memoryUsage().rss/2**20)
