export const fishTraceTasks = [];
